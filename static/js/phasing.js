// "Change the phasing": as finance type a year's planned saving, that year's plan total and its
// distance from the interim target are worked out again. Without JavaScript the page's "Check
// totals" button asks the server for the same figures; the server's are the ones that count.
(function () {
  "use strict";

  var table = document.querySelector('[data-module="app-phasing"]');
  if (!table) {
    return;
  }

  // Pounds as people type them ("£1,234,500.00", "1234500"); null if it cannot be read.
  function pence(text) {
    var cleaned = String(text).replace(/[£,\s]/g, "");
    if (cleaned === "") {
      return 0;
    }
    if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) {
      return null;
    }
    var parts = cleaned.split(".");
    return parseInt(parts[0], 10) * 100 + (parts[1] ? parseInt((parts[1] + "0").slice(0, 2), 10) : 0);
  }

  function pounds(amountInPence) {
    var negative = amountInPence < 0;
    var whole = Math.round(Math.abs(amountInPence) / 100);
    return (negative ? "−" : "") + "£" + whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function update(row) {
    var input = row.querySelector("input[data-phasing-year]");
    var typed = pence(input.value);
    var total = row.querySelector("[data-phasing-total]");
    var gap = row.querySelector("[data-phasing-gap]");
    if (typed === null) {
      total.textContent = "Check the figure";
      if (gap) {
        gap.textContent = "";
      }
      return;
    }
    var others = pence(row.getAttribute("data-others"));
    if (row.getAttribute("data-counts") === "no") {
      typed = 0; // withdrawn: its figures are in no total
    }
    total.textContent = pounds(others + typed);
    var target = row.getAttribute("data-target");
    if (gap && target !== "") {
      var shortfall = pence(target) - (others + typed);
      if (shortfall === 0) {
        gap.textContent = "On target";
      } else {
        gap.textContent = shortfall > 0 ? pounds(shortfall) + " short" : pounds(-shortfall) + " over";
      }
    }
  }

  table.querySelectorAll("tr[data-others]").forEach(function (row) {
    var input = row.querySelector("input[data-phasing-year]");
    input.addEventListener("input", function () {
      update(row);
    });
    update(row);
  });
  var note = document.querySelector('[data-module="app-phasing-live"]');
  if (note) {
    note.hidden = false;
  }
})();
