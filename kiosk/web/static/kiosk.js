// The kiosk page: when the app's connection ends (network lost, server restarted, or the
// invigilator's PIN exit), come back to the seat's login screen by itself, as a lab terminal's
// login loop does. No reload key or button is needed (a locked browser has none).
(function () {
  "use strict";
  var RETRY_MS = 2000;
  function watch() {
    var body = document.body;
    new MutationObserver(function () {
      if (body.classList.contains("-closed") && !body.dataset.reloading) {
        body.dataset.reloading = "1";
        setTimeout(function () { window.location.reload(); }, RETRY_MS);
      }
    }).observe(body, { attributes: true, attributeFilter: ["class"] });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
