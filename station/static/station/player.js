// The player page: markers seek the video; the first play is reported for the custody log; while the
// station still prepares the video, its state is asked every second, and a failure is shown.
(function () {
  const video = document.getElementById("video");
  if (!video) return;
  const token = document.querySelector("#csrf input[name=csrfmiddlewaretoken]").value;
  let reported = false;
  video.addEventListener("play", function () {
    if (reported) return;
    reported = true;
    const body = new URLSearchParams({ at: String(video.currentTime) });
    fetch(video.dataset.started, { method: "POST", body: body, headers: { "X-CSRFToken": token }, credentials: "same-origin" });
  });
  const problem = document.getElementById("playback-problem");
  function watch() {
    fetch(video.dataset.status, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.state === "failed") {
          problem.textContent = status.message;
          problem.hidden = false;
        } else if (status.state === "preparing") {
          setTimeout(watch, 1000);
        }
      });
  }
  watch();
  document.querySelectorAll("[data-seek]").forEach(function (button) {
    button.addEventListener("click", function () {
      video.currentTime = parseFloat(button.dataset.seek);
      video.play();
    });
  });
})();
