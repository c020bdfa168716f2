// Short messages ("Saved.") that come and go by themselves, read out by screen readers (a status region).
// A message floats over the page, so it is put where it covers no control: just above the tab bar if
// nothing is there, else the lowest band of the window that is free of controls. Only when the window has
// no such band does it cover one, and then never the control that has the focus.
import { h } from "./dom.js";

const SHOWN_MS = { info: 6000, error: 10000 }; // long enough to read, even on a slow phone
const CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea, summary";
const GAP = 6; // px kept between a message and a control

let watching = false;

export function toast(message, kind = "info") {
  const region = document.getElementById("toast");
  const item = h("p", { class: `toast ${kind}` }, message);
  region.append(item);
  while (region.children.length > 2) region.firstElementChild.remove(); // the latest say enough
  watch(region);
  place(region);
  setTimeout(() => { item.remove(); place(region); }, SHOWN_MS[kind] || SHOWN_MS.info);
}

/** While a message shows, what it would cover changes: a new page drawn, a scroll, the focus moved. */
function watch(region) {
  if (watching) return;
  watching = true;
  const again = () => { if (region.children.length) place(region); };
  // a page drawn under a message: placed before the next paint, so it never shows over the new page
  new MutationObserver(again).observe(document.getElementById("main"), { childList: true, subtree: true });
  document.addEventListener("focusin", again);
  let frame = 0;
  const soon = () => { cancelAnimationFrame(frame); frame = requestAnimationFrame(again); };
  window.addEventListener("scroll", soon, { passive: true });
  window.addEventListener("resize", soon);
}

function place(region) {
  region.style.top = "";
  delete region.dataset.place;
  if (!region.children.length) return;
  const home = region.getBoundingClientRect(); // its usual place, above the tab bar
  const topbar = document.getElementById("topbar");
  const ceiling = (topbar && !topbar.hidden ? topbar.getBoundingClientRect().bottom : 0) + GAP;
  const boxes = [...document.querySelectorAll(CONTROLS)]
    .filter((el) => !region.contains(el) && !el.closest("#tabbar, #topbar"))
    .map((el) => /** @type {[Element, DOMRect]} */ ([el, el.getBoundingClientRect()]))
    .filter(([, r]) => r.width && r.height && r.left < home.right && r.right > home.left && r.bottom > ceiling && r.top < home.bottom);
  const clear = (top, which = boxes) => !which.some(([, r]) => r.top < top + home.height + GAP && r.bottom + GAP > top);
  for (let top = home.top; top >= ceiling; top -= 4) {
    if (clear(top)) { move(region, top, home); return; }
  }
  // no free band: at least keep off the control that has the focus
  const focused = boxes.filter(([el]) => el === document.activeElement);
  if (clear(home.top, focused)) return;
  for (let top = home.top; top >= ceiling; top -= 4) {
    if (clear(top, focused)) { move(region, top, home); return; }
  }
}

function move(region, top, home) {
  if (top === home.top) return;
  region.style.top = `${Math.round(top)}px`;
  region.dataset.place = "moved";
}
