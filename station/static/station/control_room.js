// The control room's page: asks the station for the cameras and the open alerts every half second and
// draws them; a new alert plays the alert sound (once the dispatcher has switched sound on: browsers
// play nothing before a click). No inline script: the Content-Security-Policy allows this file only.
(() => {
  const alerts = document.getElementById("alerts");
  const cameras = document.getElementById("cameras");
  const sound = document.getElementById("alert-sound");
  const heard = new Set();
  let soundOn = false;
  document.getElementById("sound").addEventListener("click", (event) => {
    soundOn = true;
    event.target.disabled = true;
  });

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function drawAlerts(open) {
    alerts.replaceChildren(...open.map((alert) => {
      const banner = document.createElement("form");
      banner.className = "alert";
      banner.method = "post";
      banner.action = alerts.dataset.acknowledge.replace("/0/", `/${alert.id}/`);
      banner.dataset.camera = alert.camera;
      const csrf = document.createElement("input");
      csrf.type = "hidden";
      csrf.name = "csrfmiddlewaretoken";
      csrf.value = alerts.dataset.csrf;
      const text = document.createElement("strong");
      text.textContent = `${alerts.dataset.textAlert}: ${alert.camera} (${alert.age_s} ${alerts.dataset.textAgo})`;
      const button = document.createElement("button");
      button.textContent = alerts.dataset.textAck;
      banner.append(csrf, text, " ", button);
      if (!heard.has(alert.id)) {
        heard.add(alert.id);
        if (soundOn) sound.play().catch(() => {});
      }
      return banner;
    }));
  }

  // "battery-low" → the tbody's data-warning-battery-low
  const dataKey = (prefix, kind) => prefix + kind.split("-").map((w) => w[0].toUpperCase() + w.slice(1)).join("");
  const when = (utc) => new Date(utc).toLocaleString(document.documentElement.lang);

  function drawCameras(list) {
    cameras.replaceChildren(...list.map((camera) => {
      const row = document.createElement("tr");
      row.dataset.camera = camera.camera;
      row.append(cell(camera.camera),
                 cell(camera.online ? cameras.dataset.online : cameras.dataset.offline),
                 cell(camera.stage ? cameras.dataset[dataKey("stage", camera.stage)] : "—"),
                 cell(camera.battery === null ? "—" : `${Math.round(camera.battery)} %`),
                 cell(camera.warning ? `${cameras.dataset[dataKey("warning", camera.warning)]} (${when(camera.warned)})` : "—"),
                 cell(camera.seen ? when(camera.seen) : "—"));
      return row;
    }));
  }

  async function poll() {
    try {
      const response = await fetch(alerts.dataset.state, {credentials: "same-origin"});
      if (response.ok) {
        const state = await response.json();
        drawAlerts(state.alerts);
        drawCameras(state.cameras);
      }
    } catch (error) {
      // the station restarting: the next poll draws again
    }
    setTimeout(poll, 500);
  }
  poll();
})();
