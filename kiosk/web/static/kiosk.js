// The kiosk page: when the app's connection ends (network lost, server restarted, or the
// invigilator's PIN exit), come back to the seat's login screen by itself, as a lab terminal's
// login loop does. No reload key or button is needed (a locked browser has none).
//
// It reloads only once the server answers for this seat again: a reload into a dead network
// would leave the browser on its own error page, with no script left to try again.
(function () {
  "use strict";
  var RETRY_MS = 2000;

  function comeBack() {
    fetch(window.location.href, { cache: "no-store", redirect: "manual" })
      .then(function (response) {
        // 409: the seat's previous app is still leaving; keep waiting on this page.
        if (response.status === 409) { setTimeout(comeBack, RETRY_MS); return; }
        window.location.reload();
      })
      .catch(function () { setTimeout(comeBack, RETRY_MS); });
  }

  function watch() {
    var body = document.body;
    new MutationObserver(function () {
      if (body.classList.contains("-closed") && !body.dataset.reconnecting) {
        body.dataset.reconnecting = "1";
        setTimeout(comeBack, RETRY_MS);
      }
    }).observe(body, { attributes: true, attributeFilter: ["class"] });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
