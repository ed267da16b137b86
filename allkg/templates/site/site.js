// The static site's only script: sortable tables and the index's offline search. Data is written as text.
"use strict";
(function () {
  function cellValue(row, index) {
    const cell = row.cells[index];
    return cell ? (cell.dataset.sort !== undefined && cell.dataset.sort !== "" ? cell.dataset.sort : cell.textContent.trim()) : "";
  }
  function compare(a, b) {
    const x = parseFloat(a), y = parseFloat(b);
    if (!isNaN(x) && !isNaN(y) && String(x) === a && String(y) === b) return x - y;
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    const headers = table.tHead ? Array.from(table.tHead.rows[0].cells) : [];
    headers.forEach(function (th, index) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      button.title = "Sort by " + th.textContent;
      th.replaceChildren(button);
      button.addEventListener("click", function () {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0], rows = Array.from(body.rows);
        rows.sort(function (a, b) { const order = compare(cellValue(a, index), cellValue(b, index)); return ascending ? order : -order; });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  const input = document.getElementById("search"), list = document.getElementById("search-results");
  if (!input || !list || !window.allkgSearchIndex) return;
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    const first = list.querySelector("a");
    if (first) window.location.href = first.getAttribute("href");
  });
  input.addEventListener("input", function () {
    const wanted = input.value.trim().toLowerCase();
    list.replaceChildren();
    if (!wanted) return;
    const ranked = [];
    window.allkgSearchIndex.forEach(function (entry) {
      const label = entry[0].toLowerCase(), others = entry[3].toLowerCase();
      let rank = -1;
      if (label === wanted) rank = 0;
      else if (label.startsWith(wanted)) rank = 1;
      else if (others.split(" | ").indexOf(wanted) >= 0) rank = 2;
      else if (label.indexOf(wanted) >= 0) rank = 3;
      else if (others.indexOf(wanted) >= 0) rank = 4;
      if (rank >= 0) ranked.push([rank, entry[0].length, entry]);
    });
    ranked.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    ranked.slice(0, 20).forEach(function (found) {
      const li = document.createElement("li"), a = document.createElement("a"), kind = document.createElement("span");
      a.href = found[2][2]; a.textContent = found[2][0]; kind.textContent = " " + found[2][1];
      li.appendChild(a); li.appendChild(kind); list.appendChild(li);
    });
  });
})();
