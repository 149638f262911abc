"""Benchmark of the photo processing of damage reports (``tickets.uploads.process_upload``).

Generates a 12-megapixel JPEG (4000 × 3000, camera-like noise and gradients, EXIF with GPS
position and orientation, about the size a phone writes), then in a fresh child process:
checks it by content, decodes it, turns it upright, shrinks it to ``TICKET_IMAGE_MAX_SIZE``,
re-encodes it without metadata and makes the thumbnail, ``--runs`` times after one warm-up.

Prints the time per photo (median and worst run; wall clock, and the CPU time of the process,
which does not grow when other processes share the machine), the sizes, and the peak memory the
processing added to the process (peak RSS during the runs minus the RSS before the first run:
Django, Pillow and the photo's bytes are already loaded then). The last line is
``seconds_per_photo=… peak_mb=…``; targets: under 0.5 s and 150 MB.

    .venv/bin/python bench/upload_bench.py [--runs 5] [--megapixels 12]
"""

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_SECONDS = 0.5
TARGET_MB = 150


def make_photo(path, megapixels):
    """A camera-like JPEG: noise (hard to compress, like real detail) over gradients, EXIF + GPS."""
    from PIL import Image

    width = int((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    height = int(width * 3 / 4)
    noise = Image.effect_noise((width, height), 40)
    red = Image.linear_gradient("L").resize((width, height))
    blue = Image.radial_gradient("L").resize((width, height))
    green = Image.blend(noise, red, 0.5)
    photo = Image.merge("RGB", (Image.blend(red, noise, 0.3), green, Image.blend(blue, noise, 0.3)))
    exif = photo.getexif()
    exif[0x010F] = "BenchPhone"
    exif[0x0110] = "BenchPhone 12"
    exif[0x0112] = 6  # taken upright: the camera stored it turned
    exif[0x8825] = {1: "N", 2: (51.0, 20.0, 21.6), 3: "E", 4: (12.0, 22.0, 30.0)}
    photo.save(path, "JPEG", quality=92, exif=exif)
    return width, height


def child(path, runs):
    """Runs in its own process: setup, then the measured runs. Prints one JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    sys.path.insert(0, ROOT)
    import django

    django.setup()
    import psutil
    from PIL import Image

    from wagtail_tenantportal.tickets.uploads import process_upload

    with open(path, "rb") as handle:
        data = handle.read()

    class Upload(io.BytesIO):
        name = "IMG_0001.JPG"
        size = len(data)

    # Warm-up (imports, codec tables) outside the measurement.
    Image.new("RGB", (64, 64)).save(io.BytesIO(), "JPEG")
    rss_before = psutil.Process().memory_info().rss
    times, cpu_times = [], []
    result = None
    for _ in range(runs + 1):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = process_upload(Upload(data))
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    out = Image.open(io.BytesIO(result.content))
    print(
        json.dumps(
            {
                "times": times[1:],
                "cpu_times": cpu_times[1:],
                "first": times[0],
                "input_bytes": len(data),
                "output_bytes": result.size,
                "thumbnail_bytes": len(result.thumbnail),
                "output_size": list(out.size),
                "exif_left": bool(out.getexif()),
                "rss_before_mb": rss_before / 2**20,
                "peak_mb": max(0, peak - rss_before) / 2**20,
                "peak_rss_mb": peak / 2**20,
            }
        )
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--megapixels", type=float, default=12)
    parser.add_argument("--child", nargs=2, metavar=("PATH", "RUNS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return

    with tempfile.TemporaryDirectory(prefix="tenantportal-upload-bench-") as folder:
        path = os.path.join(folder, "photo.jpg")
        width, height = make_photo(path, args.megapixels)
        output = subprocess.run(  # noqa: S603 - this script with a temp path
            [sys.executable, os.path.abspath(__file__), "--child", path, str(args.runs)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    median = statistics.median(result["times"])
    print(
        f"photo: {width} x {height} ({width * height / 1e6:.1f} MP), {result['input_bytes'] / 2**20:.1f} MB JPEG"
    )
    print(
        f"stored: {result['output_size'][0]} x {result['output_size'][1]}, {result['output_bytes'] / 2**10:.0f} KiB; "
        f"thumbnail {result['thumbnail_bytes'] / 2**10:.0f} KiB; EXIF left: {result['exif_left']}"
    )
    print(
        f"time per photo: median {median:.3f} s, worst {max(result['times']):.3f} s over {len(result['times'])} runs "
        f"(first run {result['first']:.3f} s, target < {TARGET_SECONDS} s)"
    )
    print(
        f"CPU time per photo: median {statistics.median(result['cpu_times']):.3f} s "
        "(equals the wall time on an idle machine; more wall time means other processes had the CPU)"
    )
    print(
        f"memory: RSS before {result['rss_before_mb']:.0f} MB, peak {result['peak_rss_mb']:.0f} MB, "
        f"added by processing {result['peak_mb']:.0f} MB (target < {TARGET_MB} MB)"
    )
    print(f"seconds_per_photo={median:.3f} peak_mb={result['peak_mb']:.0f}")


if __name__ == "__main__":
    main()
