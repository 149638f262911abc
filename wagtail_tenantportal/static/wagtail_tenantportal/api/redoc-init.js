// ReDoc for the portal's API description: the schema's address comes from the page
// (data-schema-url), so the page needs no inline script.
(function () {
  var root = document.getElementById("redoc");
  Redoc.init(root.getAttribute("data-schema-url"), { hideDownloadButton: false, disableSearch: false }, root);
})();
