// Progressive enhancement for the Almanac pages; everything works without it.
// 1. [data-refresh]: while a run or backfill is live, refetch the page and swap the region.
// 2. [data-grid]: the partition grid is one tab stop; arrow keys move between cells (roving tabindex).

function refreshLive() {
  const region = document.querySelector("[data-refresh]");
  if (!region) return;
  const every = Number(region.getAttribute("data-refresh")) || 2000;
  const tick = async () => {
    try {
      const response = await fetch(window.location.href, { headers: { accept: "text/html" }, cache: "no-store" });
      if (!response.ok) return schedule();
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const next = doc.getElementById(region.id);
      if (!next) return schedule();
      region.replaceChildren(...next.childNodes);
      if (next.hasAttribute("data-refresh")) schedule();
      else region.removeAttribute("data-refresh");
    } catch {
      schedule();
    }
  };
  const schedule = () => window.setTimeout(tick, every);
  schedule();
}

function gridKeys() {
  for (const grid of document.querySelectorAll("[data-grid]")) {
    // A tooltip with the cell's key and status, made on first hover rather than sent 3,650 times.
    grid.addEventListener("mouseover", (event) => {
      const cell = event.target.closest("a.c");
      if (cell && !cell.title) cell.title = cell.textContent;
    });
    grid.addEventListener("keydown", (event) => {
      const cell = event.target.closest("a.c");
      if (!cell) return;
      const td = cell.parentElement;
      const tr = td.parentElement;
      const col = Array.prototype.indexOf.call(tr.children, td);
      let target = null;
      const cellIn = (row, index) => row?.children[index]?.querySelector("a.c") ?? null;
      const walk = (start, step) => {
        for (let el = start; el; el = step(el)) {
          const link = el.querySelector("a.c");
          if (link) return link;
        }
        return null;
      };
      if (event.key === "ArrowRight") target = walk(td.nextElementSibling, (el) => el.nextElementSibling);
      else if (event.key === "ArrowLeft") target = walk(td.previousElementSibling, (el) => el.previousElementSibling);
      else if (event.key === "ArrowDown") {
        for (let row = tr.nextElementSibling; row && !target; row = row.nextElementSibling) target = cellIn(row, col);
      } else if (event.key === "ArrowUp") {
        for (let row = tr.previousElementSibling; row && !target; row = row.previousElementSibling)
          target = cellIn(row, col);
      } else if (event.key === "Home") target = walk(tr.children[1], (el) => el.nextElementSibling);
      else if (event.key === "End") target = walk(tr.lastElementChild, (el) => el.previousElementSibling);
      else return;
      event.preventDefault();
      if (!target) return;
      cell.setAttribute("tabindex", "-1");
      target.setAttribute("tabindex", "0");
      target.focus();
    });
  }
}

refreshLive();
gridKeys();
