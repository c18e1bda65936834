// The player page: markers seek the video; the first play is reported for the custody log.
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
  document.querySelectorAll("[data-seek]").forEach(function (button) {
    button.addEventListener("click", function () {
      video.currentTime = parseFloat(button.dataset.seek);
      video.play();
    });
  });
})();
