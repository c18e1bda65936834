// The redaction page: follows the job's progress, and for the reviewer draws the faces found over the
// source video, lets them leave faces visible, draw boxes that move over a time range, and mark ranges of
// muted sound or a blurred picture; the decisions go to the station as JSON in the form's hidden field.
// No inline script: the Content-Security-Policy allows this file only.
(() => {
  const state = document.getElementById("state");
  const running = ["queued", "analysing", "rendering"];
  if (state && running.includes(state.dataset.status)) {
    const poll = async () => {
      try {
        const response = await fetch(state.dataset.url, {credentials: "same-origin"});
        if (response.ok) {
          const now = await response.json();
          if (now.status !== state.dataset.status) { window.location.reload(); return; }
          document.getElementById("progress").value = now.progress;
          document.getElementById("percent").textContent = `${Math.round(now.progress)} %`;
          const left = document.getElementById("left");
          left.textContent = now.seconds_left === null ? "" : left.dataset.text.replace("%s", Math.ceil(now.seconds_left));
        }
      } catch (error) {
        // the station restarting: ask again
      }
      setTimeout(poll, 1000);
    };
    poll();
  }

  const review = document.getElementById("review");
  if (!review) return;
  const video = document.getElementById("source");
  const canvas = document.getElementById("overlay");
  const context = canvas.getContext("2d");
  const text = review.dataset;
  const HOLD = 15;  // frames a face stays covered beyond its sightings (station.redaction.tracks)
  const CONTROLS = 48;  // the player's own controls below the picture stay usable
  let faces = {width: 1, height: 1, frames: 0, fps: 30, start_s: 0, faces: []};
  const visible = new Set();
  const boxes = [];
  const muted = [];
  const whole = [];
  let armedEnd = null;
  let rangeStart = null;

  video.src = text.source;
  fetch(text.faces, {credentials: "same-origin"}).then((r) => r.json()).then((data) => {
    faces = data;
    drawLists();
  });

  const seconds = (value) => (Math.round(value * 10) / 10).toFixed(1);
  function item(label, onRemove, onSeek) {
    const li = document.createElement("li");
    const seek = document.createElement("button");
    seek.type = "button";
    seek.className = "link";
    seek.textContent = label;
    seek.addEventListener("click", onSeek);
    li.append(seek);
    if (onRemove) {
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.textContent = text.textRemove;
      remove.addEventListener("click", () => { onRemove(); drawLists(); });
      li.append(" ", remove);
    }
    return li;
  }

  function drawLists() {
    document.getElementById("faces").replaceChildren(...faces.faces.map((face) => {
      const from = faces.start_s + face.frames[0] / faces.fps;
      const to = faces.start_s + face.frames[face.frames.length - 1] / faces.fps;
      const li = item(`${text.textFace} ${face.number}: ${text.textSeen.replace("%s", seconds(from)).replace("%s", seconds(to))}`,
                      null, () => { video.currentTime = from; });
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = visible.has(face.number);
      box.dataset.face = face.number;
      box.addEventListener("change", () => { if (box.checked) visible.add(face.number); else visible.delete(face.number); });
      label.append(box, ` ${text.textVisible}`);
      li.append(" ", label);
      return li;
    }));
    document.getElementById("boxes").replaceChildren(...boxes.map((b, i) => item(
      `${text.textBox} ${i + 1}: ${text.textRange.replace("%s", seconds(b.span[0])).replace("%s", seconds(b.span[1]))}`,
      () => boxes.splice(i, 1), () => { video.currentTime = b.span[0]; })));
    for (const [id, list] of [["muted", muted], ["whole", whole]]) {
      document.getElementById(id).replaceChildren(...list.map((span, i) => item(
        text.textRange.replace("%s", seconds(span[0])).replace("%s", seconds(span[1])),
        () => list.splice(i, 1), () => { video.currentTime = span[0]; })));
    }
    draw();
  }

  function faceAt(face, frame) {
    let best = null;
    let distance = HOLD + 1;
    face.frames.forEach((f, i) => {
      if (Math.abs(f - frame) < distance) { distance = Math.abs(f - frame); best = face.boxes[i]; }
    });
    return best;
  }

  function boxAt(b, t) {
    if (t < b.span[0] || t > b.span[1]) return null;
    const share = b.span[1] > b.span[0] ? (t - b.span[0]) / (b.span[1] - b.span[0]) : 0;
    return b.start.map((v, i) => v + (b.end[i] - v) * share);
  }

  function draw() {
    canvas.width = video.clientWidth;
    canvas.height = Math.max(0, video.clientHeight - CONTROLS);
    const scale = Math.min(video.clientWidth / faces.width, video.clientHeight / faces.height);
    const dx = (video.clientWidth - faces.width * scale) / 2;
    const dy = (video.clientHeight - faces.height * scale) / 2;
    context.clearRect(0, 0, canvas.width, canvas.height);
    const frame = Math.round((video.currentTime - faces.start_s) * faces.fps);
    const rect = (b) => [dx + b[0] * scale, dy + b[1] * scale, (b[2] - b[0]) * scale, (b[3] - b[1]) * scale];
    context.lineWidth = 3;
    context.font = "16px sans-serif";
    for (const face of faces.faces) {
      const b = faceAt(face, frame);
      if (!b) continue;
      context.strokeStyle = visible.has(face.number) ? "#2e7d32" : "#c62828";
      context.strokeRect(...rect(b));
      context.fillStyle = context.strokeStyle;
      context.fillText(`${face.number}`, dx + b[0] * scale, dy + b[1] * scale - 4);
    }
    context.strokeStyle = "#f9a825";
    for (const drawn of boxes) {
      const b = boxAt(drawn, video.currentTime);
      if (b) context.strokeRect(...rect(b));
    }
    canvas.dataset.scale = scale;
    canvas.dataset.dx = dx;
    canvas.dataset.dy = dy;
  }
  video.addEventListener("timeupdate", draw);
  video.addEventListener("seeked", draw);
  video.addEventListener("loadedmetadata", draw);
  window.addEventListener("resize", draw);

  let dragFrom = null;
  const toVideo = (event) => {
    const bounds = canvas.getBoundingClientRect();
    const scale = Number(canvas.dataset.scale);
    return [(event.clientX - bounds.left - Number(canvas.dataset.dx)) / scale,
            (event.clientY - bounds.top - Number(canvas.dataset.dy)) / scale];
  };
  const clamp = (b) => [Math.max(0, Math.min(b[0], b[2])), Math.max(0, Math.min(b[1], b[3])),
                        Math.min(faces.width, Math.max(b[0], b[2])), Math.min(faces.height, Math.max(b[1], b[3]))];
  canvas.addEventListener("pointerdown", (event) => {
    dragFrom = toVideo(event);
    canvas.setPointerCapture(event.pointerId);  // a drag that ends beside the picture still ends here
    video.pause();
  });
  canvas.addEventListener("pointerup", (event) => {
    if (!dragFrom) return;
    const b = clamp([...dragFrom, ...toVideo(event)]);
    dragFrom = null;
    if (b[2] - b[0] < 4 || b[3] - b[1] < 4) return;
    if (armedEnd) {
      armedEnd.end = b;
      armedEnd.span[1] = Math.max(video.currentTime, armedEnd.span[0]);
      armedEnd = null;
    } else {
      boxes.push({span: [video.currentTime, video.duration || video.currentTime], start: b, end: b});
      document.getElementById("box-end").disabled = false;
    }
    drawLists();
  });
  document.getElementById("box-end").addEventListener("click", (event) => {
    armedEnd = boxes[boxes.length - 1] || null;
    event.target.disabled = true;
  });
  for (const [id, list] of [["mute-from", muted], ["whole-from", whole]]) {
    document.getElementById(id).addEventListener("click", () => {
      rangeStart = {list, from: video.currentTime};
      document.getElementById("range-to").disabled = false;
    });
  }
  document.getElementById("range-to").addEventListener("click", (event) => {
    if (!rangeStart) return;
    rangeStart.list.push([Math.min(rangeStart.from, video.currentTime), Math.max(rangeStart.from, video.currentTime)]);
    rangeStart = null;
    event.target.disabled = true;
    drawLists();
  });
  document.getElementById("plan-form").addEventListener("submit", () => {
    document.getElementById("id_plan").value = JSON.stringify({
      visible: [...visible], boxes, muted, whole,
      mute_all: document.getElementById("mute-all").checked, style: document.getElementById("style").value,
      margin: Number(document.getElementById("margin").value),
    });
  });
})();
