/* The transcript page's player, on top of a page that works without it (each timed turn links to
   ?t=<start>, which the server turns into a media fragment of the recording's address):
   - a turn's play control seeks the recording to the turn's start and plays;
   - the turn being spoken is highlighted as the recording plays (in both columns side by side)
     and, if the reader leaves "keep in view" ticked, scrolled into view;
   - #t=83 or ?t=83 (also 1:23, or a media fragment's t=83,90) starts playback there;
   - captions in any version's language; under an <audio> element (which shows none itself) the
     current cue is written below the player, in its language and writing direction.
   No framework: the browser's own <audio>/<video> controls do play, pause, seek and keyboard. */
(function () {
  "use strict";

  function parseTime(text) {
    if (text === null || text === undefined) return null;
    var value = String(text).trim().replace(/^npt:/, "").split(",")[0];
    if (!value || value.length > 20) return null;
    var parts = value.split(":");
    if (parts.length > 3) return null;
    var total = 0;
    for (var i = 0; i < parts.length; i++) {
      if (!/^\d+(\.\d+)?$/.test(parts[i])) return null;
      total = total * 60 + parseFloat(parts[i]);
    }
    return total;
  }

  function requestedStart() {
    var hash = window.location.hash.replace(/^#/, "");
    var fromHash = null;
    hash.split("&").forEach(function (pair) {
      if (pair.indexOf("t=") === 0) fromHash = parseTime(decodeURIComponent(pair.slice(2)));
    });
    if (fromHash !== null) return fromHash;
    return parseTime(new URLSearchParams(window.location.search).get("t"));
  }

  // Turns of one column (the page's own text, or the other version side by side), in time order,
  // each running until its end, else until the next turn starts.
  function timeline(elements) {
    var items = elements.map(function (element) {
      var end = element.getAttribute("data-end");
      return {
        element: element,
        start: parseFloat(element.getAttribute("data-start")),
        end: end === null ? null : parseFloat(end)
      };
    });
    items.sort(function (a, b) { return a.start - b.start; });
    items.forEach(function (item, index) {
      if (item.end === null || item.end <= item.start) {
        var next = items[index + 1];
        item.end = next ? next.start : Infinity;
      }
    });
    return items;
  }

  function init() {
    var root = document.querySelector("[data-player]");
    var media = document.getElementById("player-media");
    if (!root || !media) return;
    var options = root.querySelector(".player__options");
    var follow = document.getElementById("player-follow");
    var select = document.getElementById("player-captions-select");
    var box = document.getElementById("player-captions");
    var isVideo = media.tagName === "VIDEO";
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (options) options.hidden = false;

    var all = Array.prototype.slice.call(document.querySelectorAll(".turn[data-start], .pturn[data-start]"));
    var columns = [
      timeline(all.filter(function (el) { return el.id.indexOf("compare-") !== 0; })),
      timeline(all.filter(function (el) { return el.id.indexOf("compare-") === 0; }))
    ];
    var current = [];

    function highlight() {
      var t = media.currentTime;
      var now = [];
      columns.forEach(function (items) {
        items.forEach(function (item) {
          if (item.start <= t && t < item.end) now.push(item.element);
        });
      });
      var same = now.length === current.length && now.every(function (el, i) { return el === current[i]; });
      if (same) return;
      current.forEach(function (el) {
        el.classList.remove("is-current");
        el.removeAttribute("aria-current");
      });
      now.forEach(function (el) {
        el.classList.add("is-current");
        el.setAttribute("aria-current", "time");
      });
      current = now;
      if (now.length && follow && follow.checked) {
        var rect = now[0].getBoundingClientRect();
        if (rect.top < 0 || rect.bottom > window.innerHeight) {
          now[0].scrollIntoView({ block: "center", behavior: reduceMotion ? "auto" : "smooth" });
        }
      }
    }

    function seek(seconds, play) {
      var go = function () {
        media.currentTime = seconds;
        highlight();
        if (play) {
          var playing = media.play();
          if (playing && playing.catch) playing.catch(function () { /* autoplay refused: stays paused there */ });
        }
      };
      if (media.readyState >= 1) go();
      else media.addEventListener("loadedmetadata", go, { once: true });
    }

    media.addEventListener("timeupdate", highlight);
    media.addEventListener("seeked", highlight);

    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a.turn__play");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      var start = parseFloat(link.getAttribute("data-start"));
      if (isNaN(start)) return;
      event.preventDefault();
      seek(start, true);
    });

    var start = requestedStart();
    if (start !== null) seek(start, true);
    window.addEventListener("hashchange", function () {
      var again = requestedStart();
      if (again !== null) seek(again, true);
    });

    // Captions: the reader's choice of track; an <audio> element's cues are written out here.
    var tracks = Array.prototype.slice.call(media.querySelectorAll("track"));
    var chosen = null;

    function showCues() {
      if (!box) return;
      box.replaceChildren();
      if (chosen === null || isVideo) {
        box.hidden = true;
        return;
      }
      var element = tracks[chosen];
      var track = media.textTracks[chosen];
      box.hidden = false;
      box.setAttribute("lang", element.getAttribute("srclang"));
      box.setAttribute("dir", element.getAttribute("data-dir") || "auto");
      var cues = track && track.activeCues ? Array.prototype.slice.call(track.activeCues) : [];
      cues.forEach(function (cue) {
        var line = document.createElement("p");
        var voice = /^<v(?:\.[^\s>]*)?\s+([^>]*)>/.exec(cue.text);
        if (voice) {
          var who = document.createElement("span");
          who.className = "player__speaker";
          who.textContent = voice[1].replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
          line.appendChild(who);
          line.appendChild(document.createTextNode(" "));
        }
        // As text, never as markup: a cue is data.
        line.appendChild(document.createTextNode(cue.getCueAsHTML().textContent));
        box.appendChild(line);
      });
    }

    function choose(index) {
      chosen = index;
      for (var i = 0; i < media.textTracks.length; i++) {
        var wanted = i === index;
        media.textTracks[i].mode = wanted ? (isVideo ? "showing" : "hidden") : "disabled";
      }
      showCues();
    }

    for (var i = 0; i < media.textTracks.length; i++) {
      media.textTracks[i].addEventListener("cuechange", function (event) {
        if (chosen !== null && event.target === media.textTracks[chosen]) showCues();
      });
    }
    tracks.forEach(function (element) { element.addEventListener("load", showCues); });
    if (select) {
      select.addEventListener("change", function () {
        choose(select.value === "" ? null : parseInt(select.value, 10));
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
