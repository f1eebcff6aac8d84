// Browser-side helpers for the tabs, run once when the page loads (app.py passes this file to
// Gradio's launch(js=...); demos/ui.py fills in CONFIG from the tab modules).
//
// Gradio's sketch-pad is a pixi.js canvas that fills its frame, with the paper (the white
// square that is exported) centred in it, 30 px from the frame at the "fit" zoom. These
// helpers make the pads behave as a visitor expects:
//   - a stroke that starts on the frame just outside the paper starts on the paper's edge
//     (the pad itself ignores it);
//   - on a touch screen a swipe that starts off the paper scrolls the page (the pad would
//     swallow it), while one on the paper draws;
//   - the brush is chosen again after the pad's own "Clear canvas" (the pad chooses no tool);
//   - an overlay on the paper shades the frame around it and carries the completion pad's
//     guides (not part of the pad's value, so clearing never has to wait for the server);
//   - between the end of a stroke (or an upload) and the answer, the result says it is coming;
//   - canvases, result images and examples get accessible names, and the tabs follow the
//     arrow keys (the WAI-ARIA tabs pattern);
//   - an open "Under the hood" panel follows the tab's input: when a new answer arrives the
//     panel's hidden refresh button is pressed (a closed panel costs the server nothing);
//   - the pads follow the pen (demos.ui.LivePad): the strokes are kept as they are drawn, painted
//     with the pad's brush onto a canvas of the pad's size and sent as a PNG to the pad's hidden
//     "-live" textbox a few times a second while drawing and at once when the pen lifts; at most
//     one reading per pad is in flight, and a newer drawing replaces a waiting one.
() => {
  const CONFIG = __CONFIG__;
  const FIT_PADDING = 30; // px between the paper and the pad's frame at the "fit" zoom (Gradio)
  const RING = 30; // px outside the paper where a stroke or a touch still starts on the paper
  const PENDING_TIMEOUT_MS = 10000; // a result never says "coming" longer than this
  const LIVE_INTERVAL_MS = 200; // at most this often a reading while the pen moves (5 a second)
  const LIVE_TIMEOUT_MS = 5000; // a reading that never comes back (a lost connection) stops blocking the next
  // ?live=off: the pads answer only through their own export, as before readings while drawing (to compare)
  const FOLLOW_THE_PEN = new URLSearchParams(window.location.search).get("live") !== "off";

  // The paper's rectangle in client coordinates, or null while the pad is not laid out.
  function paper(pad, canvasSize) {
    const canvas = pad.querySelector(".pixi-target canvas");
    if (!canvas) return null;
    const box = canvas.getBoundingClientRect();
    if (box.width < 2 * FIT_PADDING || box.height < 2 * FIT_PADDING) return null;
    let side = Math.min(box.width, box.height) - 2 * FIT_PADDING;
    // The toolbar shows the zoom rounded to 1%; trust the exact fit size unless they disagree.
    const percent = parseFloat(pad.querySelector(".zoom-number span")?.textContent || "");
    if (Number.isFinite(percent) && Math.abs(canvasSize * percent / 100 - side) > canvasSize * 0.006) {
      side = canvasSize * percent / 100;
    }
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    return { left: x - side / 2, top: y - side / 2, right: x + side / 2, bottom: y + side / 2, side, canvas, box };
  }

  const near = (rect, x, y) =>
    x >= rect.left - RING && x <= rect.right + RING && y >= rect.top - RING && y <= rect.bottom + RING;
  const clamp = (value, low, high) => Math.min(Math.max(value, low), high);

  function selectBrush(pad, tries = 50) {
    const brush = pad.querySelector("button[aria-label='Brush']");
    if (brush && brush.classList.contains("highlight")) return;
    if (brush) brush.click();
    if (tries > 0) setTimeout(() => selectBrush(pad, tries - 1), 100);
  }

  // Whether the pad's brush is the tool in hand (the pad starts with none; ui.js chooses it).
  const padDraws = (pad) => !!pad.querySelector("button[aria-label='Brush'].highlight");

  // ---- "the answer is coming"
  const pendingTimers = {};
  function markPending(resultId) {
    const result = document.getElementById(resultId);
    if (!result) return;
    result.classList.add("demo-pending");
    result.setAttribute("aria-busy", "true");
    clearTimeout(pendingTimers[resultId]);
    pendingTimers[resultId] = setTimeout(() => markDone(resultId), PENDING_TIMEOUT_MS);
  }
  function markDone(resultId) {
    const result = document.getElementById(resultId);
    clearTimeout(pendingTimers[resultId]);
    if (!result) return;
    result.classList.remove("demo-pending");
    result.removeAttribute("aria-busy");
  }
  window.demoResultShown = markDone; // events call it when their answer has arrived

  // ---- "Under the hood" panels: which are open (their expand/collapse events report it)
  const openHoods = new Set();
  window.demoHoodOpen = (hoodId, open) => { if (open) openHoods.add(hoodId); else openHoods.delete(hoodId); };
  window.demoHoodRefresh = (hoodId) => {
    if (openHoods.has(hoodId)) document.getElementById(`${hoodId}-refresh`)?.click();
  };


  // ---- readings while drawing (demos.ui.LivePad)
  const live = {}; // pad id -> what the page knows of that pad's drawing
  const liveStats = {}; // pad id -> [{sentAt, shownAt, final}] (the browser tests and benchmarks read it)
  window.demoLiveStats = liveStats;

  function liveState(padId, options) {
    if (!live[padId]) {
      const picture = document.createElement("canvas");
      picture.width = picture.height = options.canvas;
      live[padId] = {
        options, picture, strokes: [], stroke: null, following: FOLLOW_THE_PEN, inFlight: false, waiting: null,
        lastSent: -Infinity, lastValue: "", timer: null, guard: null, sentFinal: false,
      };
      liveStats[padId] = [];
    }
    return live[padId];
  }

  // A point of the pen in the pad's own pixels (its canvas, `options.canvas` square).
  function padPoint(rect, options, clientX, clientY) {
    const scale = options.canvas / rect.side;
    return [(clientX - rect.left) * scale, (clientY - rect.top) * scale];
  }

  // The strokes as the pad's brush paints them: discs of its radius along each segment.
  function paint(state) {
    const context = state.picture.getContext("2d");
    const radius = state.options.brush;
    context.clearRect(0, 0, state.picture.width, state.picture.height);
    context.fillStyle = context.strokeStyle = "#000000";
    context.lineWidth = 2 * radius;
    context.lineCap = context.lineJoin = "round";
    for (const stroke of state.strokes) {
      context.beginPath();
      if (stroke.length === 1) {
        context.arc(stroke[0][0], stroke[0][1], radius, 0, 2 * Math.PI);
        context.fill();
        continue;
      }
      context.moveTo(...stroke[0]);
      for (const point of stroke.slice(1)) context.lineTo(...point);
      context.stroke();
    }
    return state.picture.toDataURL("image/png");
  }

  function setLiveValue(padId, value) {
    const box = document.querySelector(`#${padId}-live textarea, #${padId}-live input`);
    if (!box) return false;
    box.value = value;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    return true;
  }

  // Ask for a reading of the drawing as it is now; `final`: the pen has lifted (send at once).
  function wantReading(padId, final) {
    const state = live[padId];
    state.waiting = { final: final || !!state.waiting?.final };
    if (state.inFlight) return; // sent when the one in flight is shown: the newest drawing then
    clearTimeout(state.timer);
    const wait = final ? 0 : state.lastSent + LIVE_INTERVAL_MS - performance.now();
    if (wait > 0) state.timer = setTimeout(() => sendReading(padId), wait);
    else sendReading(padId);
  }

  function sendReading(padId) {
    const state = live[padId];
    if (!state.waiting || state.inFlight) return;
    const value = state.following ? paint(state) : ""; // "": the pad's own event answers (ui.STOP_FOLLOWING)
    if (value === state.lastValue) { // the textbox would not change, so no event: its reading is on screen
      if (state.waiting.final) {
        const shown = liveStats[padId].at(-1);
        if (shown) shown.final = true;
        strokeAnswered(state);
      }
      state.waiting = null;
      return;
    }
    if (!setLiveValue(padId, value)) return;
    state.lastValue = value;
    state.sentFinal = state.waiting.final;
    state.waiting = null;
    state.inFlight = true;
    state.lastSent = state.sentAt = performance.now();
    clearTimeout(state.guard);
    state.guard = setTimeout(() => window.demoLiveShown(padId), LIVE_TIMEOUT_MS);
  }

  // The answer to the live reading in flight is on screen (the event's .then): the next may go.
  window.demoLiveShown = (padId) => {
    const state = live[padId];
    if (!state?.inFlight) return;
    clearTimeout(state.guard);
    state.inFlight = false;
    const stats = liveStats[padId];
    stats.push({ sentAt: state.sentAt, shownAt: performance.now(), final: state.sentFinal });
    if (stats.length > 500) stats.splice(0, stats.length - 500);
    if (state.sentFinal && !state.waiting) strokeAnswered(state);
    if (state.waiting) wantReading(padId, state.waiting.final);
  };

  // The reading of a finished stroke is on screen.
  function strokeAnswered(state) {
    markDone(state.options.result);
    window.demoHoodRefresh(state.options.hood); // an open panel looks at the finished drawing
  }

  function startStroke(padId, point) {
    const state = live[padId];
    if (state.waiting) state.waiting.final = false; // the pen is down again: what waits is no finished drawing
    state.stroke = [point];
    state.strokes.push(state.stroke);
    if (state.following) wantReading(padId, false);
  }

  function moveStroke(padId, point) {
    const state = live[padId];
    if (!state.stroke) return;
    const last = state.stroke[state.stroke.length - 1];
    if (Math.abs(last[0] - point[0]) + Math.abs(last[1] - point[1]) < 0.5) return;
    state.stroke.push(point);
    if (state.following) wantReading(padId, false);
  }

  function endStroke(padId) {
    const state = live[padId];
    if (!state.stroke) return;
    state.stroke = null;
    if (state.following) wantReading(padId, true);
  }

  // The pad was cleared: nothing drawn, and the page follows it again.
  function clearedPad(padId) {
    const state = live[padId];
    if (!state || !FOLLOW_THE_PEN) return;
    state.strokes = [];
    state.stroke = null;
    state.following = true;
    wantReading(padId, true);
  }

  // Undo, redo, an upload or an example: the pad's own event answers until the pad is cleared.
  function stopFollowing(padId) {
    const state = live[padId];
    if (!state || !state.following) return;
    state.following = false;
    state.strokes = [];
    state.stroke = null;
    wantReading(padId, true);
  }

  function installPad(pad, options) {
    const target = pad.querySelector(".pixi-target");
    if (!target || target.dataset.demoPad) return;
    target.dataset.demoPad = "1";
    const padId = pad.id;
    liveState(padId, options);
    let stroking = false, strokeRect = null, strokePointer = null;
    target.addEventListener("pointerdown", (event) => {
      if (!event.isTrusted) return; // our own forwarded event
      if (!event.isPrimary || event.button > 0 || !padDraws(pad)) return; // a second finger, a right click, another tool
      const rect = paper(pad, options.canvas);
      if (!rect || !near(rect, event.clientX, event.clientY)) return;
      stroking = true;
      strokeRect = rect;
      strokePointer = event.pointerId;
      const inside = event.clientX >= rect.left && event.clientX <= rect.right
        && event.clientY >= rect.top && event.clientY <= rect.bottom;
      if (inside) {
        startStroke(padId, padPoint(rect, options, event.clientX, event.clientY));
        return;
      }
      // Start the stroke on the paper's edge: the pad only starts strokes on the paper.
      event.stopImmediatePropagation();
      event.preventDefault();
      const init = {
        bubbles: true, cancelable: true, composed: true, pointerId: event.pointerId,
        pointerType: event.pointerType, isPrimary: event.isPrimary, width: event.width, height: event.height,
        pressure: event.pressure || 0.5, buttons: event.buttons,
        clientX: clamp(event.clientX, rect.left + 1, rect.right - 1),
        clientY: clamp(event.clientY, rect.top + 1, rect.bottom - 1),
      };
      startStroke(padId, padPoint(rect, options, init.clientX, init.clientY));
      event.target.dispatchEvent(new PointerEvent("pointermove", { ...init, button: -1 }));
      event.target.dispatchEvent(new PointerEvent("pointerdown", { ...init, button: event.button }));
    }, true);
    window.addEventListener("pointermove", (event) => {
      if (stroking && event.pointerId === strokePointer) {
        moveStroke(padId, padPoint(strokeRect, options, event.clientX, event.clientY));
      }
    }, true);
    // A touch on the paper draws; anywhere else on the pad the page scrolls (CSS allows
    // vertical panning on the canvas, and cancelling touchstart keeps it from starting).
    target.addEventListener("touchstart", (event) => {
      const touch = event.touches[0];
      const rect = paper(pad, options.canvas);
      if (event.touches.length === 1 && rect && near(rect, touch.clientX, touch.clientY)) event.preventDefault();
    }, { passive: false, capture: true });
    const finish = (event) => {
      if (!stroking || event.pointerId !== strokePointer) return;
      if (options.result) markPending(options.result);
      stroking = false;
      endStroke(padId);
    };
    window.addEventListener("pointerup", finish, true);
    window.addEventListener("pointercancel", finish, true); // the pad keeps what was drawn
    selectBrush(pad);
  }

  function layoutPaper(pad, options) {
    const target = pad.querySelector(".pixi-target");
    if (!target) return;
    let overlay = target.querySelector(".pad-paper");
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.className = "pad-paper";
      overlay.setAttribute("aria-hidden", "true");
      target.appendChild(overlay);
    }
    const rect = paper(pad, options.canvas);
    if (!rect) return;
    const frame = target.getBoundingClientRect();
    const style = `left:${rect.left - frame.left}px;top:${rect.top - frame.top}px;width:${rect.side}px;height:${rect.side}px`;
    if (overlay.getAttribute("style") !== style) overlay.setAttribute("style", style);
  }

  function name(element, text) {
    if (element && element.getAttribute("aria-label") !== text) element.setAttribute("aria-label", text);
  }

  // Components appear (and re-render) after load, in tabs that are not open yet: look every
  // 250 ms, which costs next to nothing, instead of chasing Gradio's rendering.
  function refresh() {
    for (const [padId, options] of Object.entries(CONFIG.pads)) {
      const pad = document.getElementById(padId);
      if (!pad) continue;
      installPad(pad, options);
      layoutPaper(pad, options);
      const canvas = pad.querySelector(".pixi-target canvas");
      if (canvas) {
        canvas.setAttribute("role", "img");
        name(canvas, options.name);
      }
    }
    for (const [elementId, text] of Object.entries(CONFIG.images)) {
      for (const img of document.querySelectorAll(`#${elementId} img`)) {
        if (img.alt !== text) img.alt = text;
      }
    }
    for (const uploadId of Object.keys(CONFIG.uploads)) {
      for (const img of document.querySelectorAll(`#${uploadId} img`)) {
        img.classList.toggle("tiny-image", img.naturalWidth > 0 && img.naturalWidth <= 64);
      }
    }
    for (const item of document.querySelectorAll(".gallery-item")) {
      const file = decodeURIComponent((item.querySelector("img")?.src || "").split("/").pop());
      if (CONFIG.examples[file]) name(item, CONFIG.examples[file]);
    }
  }
  setInterval(refresh, 250);
  refresh();

  document.addEventListener("click", (event) => {
    const button = event.target.closest?.("button[aria-label]");
    const pad = button?.closest(".drawing-pad");
    const tool = button?.getAttribute("aria-label");
    if (pad && tool === "Clear canvas") {
      setTimeout(() => selectBrush(pad), 0);
      clearedPad(pad.id);
    } else if (pad && (tool === "Undo" || tool === "Redo") && !button.disabled) {
      stopFollowing(pad.id);
    }
    // an example put on a pad: the pad holds it as a picture, which its own event reads
    const example = event.target.closest?.(".gallery-item");
    const panel = example?.closest("[role='tabpanel']");
    for (const padId of Object.keys(CONFIG.pads)) {
      if (panel && panel.querySelector(`#${padId}`)) stopFollowing(padId);
    }
  }, true);
  // a picture pasted or dropped onto a pad
  for (const type of ["paste", "drop"]) {
    document.addEventListener(type, (event) => {
      const pad = event.target.closest?.(".drawing-pad");
      if (pad) stopFollowing(pad.id);
    }, true);
  }

  // Uploads: the answer takes a moment (decoding, sending, reading).
  document.addEventListener("change", (event) => {
    if (!(event.target instanceof HTMLInputElement) || event.target.type !== "file") return;
    for (const [sourceId, resultId] of Object.entries(CONFIG.uploads)) {
      if (event.target.closest(`#${sourceId}`)) markPending(resultId);
    }
    const pad = event.target.closest(".drawing-pad");
    if (pad) stopFollowing(pad.id);
  }, true);

  // Arrow keys, Home and End move between tabs.
  document.addEventListener("keydown", (event) => {
    const tab = event.target.closest?.("[role='tab']");
    if (!tab || !["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
    const tabs = [...tab.closest("[role='tablist']").querySelectorAll("[role='tab']:not([disabled])")];
    const here = tabs.indexOf(tab);
    const next = {
      ArrowLeft: (here - 1 + tabs.length) % tabs.length, ArrowRight: (here + 1) % tabs.length,
      Home: 0, End: tabs.length - 1,
    }[event.key];
    event.preventDefault();
    tabs[next].click();
    tabs[next].focus();
  });
}
