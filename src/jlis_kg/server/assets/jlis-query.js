/* The query page: YASGUI on this server's /sparql, and the named queries beside it.
   Running a named query fetches its text with the parameters bound (/queries/NAME.rq?…),
   puts it in the editor and runs it, so what runs is always what is shown.
   Nothing is fetched from any other host: the LOV and prefix.cc autocompleters are off. */
(function () {
  "use strict";
  var Y = window.Yasgui && (window.Yasgui.default || window.Yasgui.Yasgui || window.Yasgui);
  var endpoint = new URL("/sparql", window.location.href).href;
  var state = { ready: false, runs: 0, lastError: null };
  window.jlisQuery = state;

  var yasgui = new Y(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: {
      autocompleters: ["variables"],
      value: "PREFIX jlis: <https://w3id.org/jlis-kg/ontology#>\n" +
             "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n\n" +
             "SELECT ?system ?label WHERE {\n  ?system a jlis:InformationSystem ; skos:prefLabel ?label .\n" +
             "  FILTER(lang(?label) = \"ja\")\n}\nORDER BY ?label\nLIMIT 100\n",
      resizeable: true,
      editorHeight: "320px"
    },
    yasr: { prefixes: {} }
  });
  state.yasgui = yasgui;

  function tab() { return yasgui.getTab(); }

  yasgui.on("queryResponse", function () { state.runs += 1; state.lastResponseAt = Date.now(); });

  function runNamed(details) {
    var name = details.getAttribute("data-query");
    var params = new URLSearchParams();
    details.querySelectorAll("input").forEach(function (input) {
      if (input.value.trim()) params.set(input.name, input.value.trim());
    });
    var error = details.querySelector(".error");
    error.hidden = true;
    var url = "/queries/" + encodeURIComponent(name) + ".rq" + (params.toString() ? "?" + params : "");
    return fetch(url).then(function (response) {
      return response.text().then(function (text) {
        if (!response.ok) throw new Error(text);
        var current = tab();
        current.setQuery(text);
        state.lastNamed = name;
        return current.query();
      });
    }).catch(function (err) {
      error.textContent = String(err.message || err);
      error.hidden = false;
      state.lastError = error.textContent;
    });
  }
  state.runNamed = function (name) {
    var details = document.querySelector('.named-query[data-query="' + name + '"]');
    details.open = true;
    return runNamed(details);
  };

  document.querySelectorAll(".named-query form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      runNamed(form.closest(".named-query"));
    });
  });
  state.ready = true;
})();
