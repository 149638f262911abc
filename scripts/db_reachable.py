"""Exit 0 when the database in argv[1] (a DATABASE_URL) accepts connections, else 1."""

import sys

import dj_database_url


def main(url):
    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return 1
    try:
        import psycopg
    except ImportError:
        return 1
    try:
        conn = psycopg.connect(
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=3,
        )
    except psycopg.Error:
        return 1
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
