/* Before Fluent loads: no web fonts from the Office CDN (the page works offline; the font stack falls back to local fonts). */
/* global window */
window.FabricConfig = { fontBaseUrl: "" };
