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
//     panel's hidden refresh button is pressed (a closed panel costs the server nothing).
() => {
  const CONFIG = __CONFIG__;
  const FIT_PADDING = 30; // px between the paper and the pad's frame at the "fit" zoom (Gradio)
  const RING = 30; // px outside the paper where a stroke or a touch still starts on the paper
  const PENDING_TIMEOUT_MS = 10000; // a result never says "coming" longer than this

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

  function installPad(pad, options) {
    const target = pad.querySelector(".pixi-target");
    if (!target || target.dataset.demoPad) return;
    target.dataset.demoPad = "1";
    let stroking = false;
    target.addEventListener("pointerdown", (event) => {
      if (!event.isTrusted) return; // our own forwarded event
      const rect = paper(pad, options.canvas);
      if (!rect || !near(rect, event.clientX, event.clientY)) return;
      stroking = true;
      const inside = event.clientX >= rect.left && event.clientX <= rect.right
        && event.clientY >= rect.top && event.clientY <= rect.bottom;
      if (inside) return;
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
      event.target.dispatchEvent(new PointerEvent("pointermove", { ...init, button: -1 }));
      event.target.dispatchEvent(new PointerEvent("pointerdown", { ...init, button: event.button }));
    }, true);
    // A touch on the paper draws; anywhere else on the pad the page scrolls (CSS allows
    // vertical panning on the canvas, and cancelling touchstart keeps it from starting).
    target.addEventListener("touchstart", (event) => {
      const touch = event.touches[0];
      const rect = paper(pad, options.canvas);
      if (event.touches.length === 1 && rect && near(rect, touch.clientX, touch.clientY)) event.preventDefault();
    }, { passive: false, capture: true });
    const finish = () => {
      if (stroking && options.result) markPending(options.result);
      stroking = false;
    };
    window.addEventListener("pointerup", finish, true);
    window.addEventListener("pointercancel", () => { stroking = false; }, true);
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
    const clear = event.target.closest?.("button[aria-label='Clear canvas']");
    const pad = clear?.closest(".drawing-pad");
    if (pad) setTimeout(() => selectBrush(pad), 0);
  }, true);

  // Uploads: the answer takes a moment (decoding, sending, reading).
  document.addEventListener("change", (event) => {
    if (!(event.target instanceof HTMLInputElement) || event.target.type !== "file") return;
    for (const [sourceId, resultId] of Object.entries(CONFIG.uploads)) {
      if (event.target.closest(`#${sourceId}`)) markPending(resultId);
    }
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
