//! The documentation page's "Try it" forms, built from the JSON data block beside this script.
// Every element is made with createElement and every string placed with
// textContent or a form value: no server text and no answer is ever parsed
// as HTML. The call is one XML-RPC document, written here with XML
// escaping, POSTed to the page's own address.
(function () {
  "use strict";
  var block = document.getElementById("xmlrpc-kit-try-it");
  if (!block) return;
  var methods = JSON.parse(block.textContent);
  var endpoint = location.origin + location.pathname;

  // ---- Elements -------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    var key;
    for (key in attrs || {}) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    }
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }

  // ---- Values: {type, value}, the types of XML-RPC --------------------
  // int and i8 hold decimal text (exact beyond 2^53); double a finite
  // number; boolean a boolean; string, base64 (its text) and
  // dateTime.iso8601 text; nil null; array a list of values; struct a
  // list of [name, value] pairs, in order.

  function fail(message) {
    throw new Error(message);
  }

  var INT_MIN = -2147483648n;
  var INT_MAX = 2147483647n;
  var I8_MIN = -9223372036854775808n;
  var I8_MAX = 9223372036854775807n;

  function integer(text, type) {
    var t = String(text).trim();
    if (!/^[-+]?[0-9]+$/.test(t)) fail(JSON.stringify(String(text)) + " is not an integer");
    var n = BigInt(t);
    var fits = type === "int" ? n >= INT_MIN && n <= INT_MAX : n >= I8_MIN && n <= I8_MAX;
    if (!fits) fail(t + (type === "int" ? " does not fit in 32 bits (int)" : " does not fit in 64 bits (i8)"));
    return { type: type, value: n.toString() };
  }

  function double(text) {
    var t = String(text).trim();
    var n = Number(t);
    if (t === "" || !isFinite(n)) fail(JSON.stringify(String(text)) + " is not a finite number");
    return { type: "double", value: n };
  }

  function base64(text) {
    var t = String(text).replace(/\s+/g, "");
    try {
      atob(t);
    } catch (e) {
      fail(JSON.stringify(String(text)) + " is not base64 text");
    }
    return { type: "base64", value: t };
  }

  function dateTime(text) {
    var t = String(text).trim();
    if (!/^[0-9]{4}-?[0-9]{2}-?[0-9]{2}T[0-9]{2}:?[0-9]{2}:?[0-9]{2}([.,][0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})?$/.test(t)) {
      fail(JSON.stringify(String(text)) + " is not a date-time such as 20260125T09:30:00");
    }
    return { type: "dateTime.iso8601", value: t };
  }

  function string(text) {
    var bad = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.exec(text);
    if (bad) fail("XML cannot carry the character U+" + bad[0].charCodeAt(0).toString(16).padStart(4, "0"));
    return { type: "string", value: text };
  }

  // JSON as the CLI reads it: numbers are int (i8 beyond 32 bits) or
  // double, null is nil, objects are structs, and an object with one
  // member named with a $ is a typed value ({"$dateTime": "…"}, $base64,
  // $i8, $nil, $struct).
  function fromJson(j) {
    if (j === null) return { type: "nil", value: null };
    if (typeof j === "boolean") return { type: "boolean", value: j };
    if (typeof j === "string") return string(j);
    if (typeof j === "number") {
      if (!Number.isInteger(j)) return double(j);
      if (!Number.isSafeInteger(j)) fail(j + " is too large to read exactly; write {\"$i8\": \"" + j + "\"}");
      return integer(String(j), j >= -2147483648 && j <= 2147483647 ? "int" : "i8");
    }
    if (Array.isArray(j)) return { type: "array", value: j.map(fromJson) };
    var keys = Object.keys(j);
    if (keys.length === 1 && keys[0].charAt(0) === "$") {
      var v = j[keys[0]];
      switch (keys[0]) {
        case "$dateTime":
          if (typeof v !== "string") fail("$dateTime takes a string");
          return dateTime(v);
        case "$base64":
          if (typeof v !== "string") fail("$base64 takes a string");
          return base64(v);
        case "$i8":
          if (typeof v !== "string" && typeof v !== "number") fail("$i8 takes an integer");
          return integer(String(v), "i8");
        case "$nil":
          if (v !== null) fail("$nil takes null");
          return { type: "nil", value: null };
        case "$struct":
          if (v === null || typeof v !== "object" || Array.isArray(v)) fail("$struct takes an object");
          return members(v);
        default:
          fail(keys[0] + " is no typed value (they are $dateTime, $base64, $i8, $nil and $struct)");
      }
    }
    return members(j);
  }

  function members(object) {
    return {
      type: "struct",
      value: Object.keys(object).map(function (k) {
        string(k);
        return [k, fromJson(object[k])];
      }),
    };
  }

  function parseJson(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      fail("not JSON: " + e.message);
    }
  }

  // ---- The XML-RPC request document -----------------------------------

  function xmlText(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#13;");
  }

  function valueXml(v) {
    switch (v.type) {
      case "int":
      case "i8":
        return "<" + v.type + ">" + v.value + "</" + v.type + ">";
      case "double":
        return "<double>" + String(v.value) + "</double>";
      case "boolean":
        return "<boolean>" + (v.value ? "1" : "0") + "</boolean>";
      case "string":
        return "<string>" + xmlText(v.value) + "</string>";
      case "base64":
        return "<base64>" + v.value + "</base64>";
      case "dateTime.iso8601":
        return "<dateTime.iso8601>" + xmlText(v.value) + "</dateTime.iso8601>";
      case "nil":
        return "<nil/>";
      case "array":
        return "<array><data>" + v.value.map(function (item) {
          return "<value>" + valueXml(item) + "</value>";
        }).join("") + "</data></array>";
      default:
        return "<struct>" + v.value.map(function (m) {
          return "<member><name>" + xmlText(m[0]) + "</name><value>" + valueXml(m[1]) + "</value></member>";
        }).join("") + "</struct>";
    }
  }

  function requestXml(name, params) {
    return '<?xml version="1.0"?>\n<methodCall>\n<methodName>' + xmlText(name) +
      "</methodName>\n<params>\n" + params.map(function (p) {
        return "<param>\n<value>" + valueXml(p) + "</value>\n</param>\n";
      }).join("") + "</params>\n</methodCall>\n";
  }

  // ---- The snippets -----------------------------------------------------

  function hasNil(v) {
    if (v.type === "nil") return true;
    if (v.type === "array") return v.value.some(hasNil);
    if (v.type === "struct") return v.value.some(function (m) { return hasNil(m[1]); });
    return false;
  }

  function wideInteger(v) {
    if (v.type === "i8") return BigInt(v.value) < INT_MIN || BigInt(v.value) > INT_MAX;
    if (v.type === "array") return v.value.some(wideInteger);
    if (v.type === "struct") return v.value.some(function (m) { return wideInteger(m[1]); });
    return false;
  }

  function pyString(text) {
    var out = "'";
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      var code = text.charCodeAt(i);
      if (c === "\\" || c === "'") out += "\\" + c;
      else if (c === "\n") out += "\\n";
      else if (c === "\r") out += "\\r";
      else if (c === "\t") out += "\\t";
      else if (code < 0x20 || code === 0x7f) out += "\\x" + code.toString(16).padStart(2, "0");
      else if (code === 0x2028 || code === 0x2029) out += "\\u" + code.toString(16);
      else out += c;
    }
    return out + "'";
  }

  function pyBytes(b64) {
    var raw = atob(b64);
    var out = "b'";
    for (var i = 0; i < raw.length; i++) {
      var code = raw.charCodeAt(i);
      var c = raw.charAt(i);
      if (c === "\\" || c === "'") out += "\\" + c;
      else if (code >= 0x20 && code < 0x7f) out += c;
      else out += "\\x" + code.toString(16).padStart(2, "0");
    }
    return out + "'";
  }

  function pyFloat(n) {
    var s = String(n);
    return /[.e]/.test(s) || s === "NaN" ? s : s + ".0";
  }

  function pyValue(v) {
    switch (v.type) {
      case "int":
      case "i8":
        return v.value;
      case "double":
        return pyFloat(v.value);
      case "boolean":
        return v.value ? "True" : "False";
      case "string":
        return pyString(v.value);
      case "base64":
        return "xmlrpc.client.Binary(" + pyBytes(v.value) + ")";
      case "dateTime.iso8601":
        return "xmlrpc.client.DateTime(" + pyString(v.value) + ")";
      case "nil":
        return "None";
      case "array":
        return "[" + v.value.map(pyValue).join(", ") + "]";
      default:
        return "{" + v.value.map(function (m) {
          return pyString(m[0]) + ": " + pyValue(m[1]);
        }).join(", ") + "}";
    }
  }

  var PY_KEYWORDS = ("False None True and as assert async await break class continue def del elif else " +
    "except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield").split(" ");

  function pyCallee(name) {
    var plain = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(name) &&
      name.split(".").every(function (part) { return PY_KEYWORDS.indexOf(part) < 0 && part.slice(0, 2) !== "__"; });
    return plain ? "proxy." + name : "getattr(proxy, " + pyString(name) + ")";
  }

  function pythonSnippet(name, params) {
    var options = params.some(hasNil) ? ", allow_none=True" : "";
    // xmlrpc.client writes a method's name into the document as it is, so
    // a name with <, > or & is given to it already escaped.
    var sent = xmlText(name);
    var note = sent === name ? "" : "# xmlrpc.client does not escape method names: this one is escaped for it.\n";
    if (params.some(wideInteger)) note += "# xmlrpc.client refuses integers beyond 32 bits: this call needs another client.\n";
    return "import xmlrpc.client\n\n" +
      "proxy = xmlrpc.client.ServerProxy(" + pyString(endpoint) + options + ")\n" + note +
      "print(" + pyCallee(sent) + "(" + params.map(pyValue).join(", ") + "))\n";
  }

  function shellWord(word) {
    return /^[A-Za-z0-9_.,:\/@%+=-]+$/.test(word) ? word : "'" + word.replace(/'/g, "'\\''") + "'";
  }

  function curlSnippet(name, params) {
    return "curl -sS " + shellWord(endpoint) + " -H 'Content-Type: text/xml' --data-binary " +
      shellWord(requestXml(name, params)) + "\n";
  }

  // The typed JSON the CLI reads (and its --json writes).
  function cliJson(v) {
    switch (v.type) {
      case "int":
        return Number(v.value);
      case "i8":
        return { $i8: Number.isSafeInteger(Number(v.value)) ? Number(v.value) : v.value };
      case "double":
        return v.value;
      case "boolean":
        return v.value;
      case "string":
        return v.value;
      case "base64":
        return { $base64: v.value };
      case "dateTime.iso8601":
        return { $dateTime: v.value };
      case "nil":
        return null;
      case "array":
        return v.value.map(cliJson);
      default:
        var object = {};
        v.value.forEach(function (m) { object[m[0]] = cliJson(m[1]); });
        return v.value.length === 1 && v.value[0][0].charAt(0) === "$" ? { $struct: object } : object;
    }
  }

  // JSON.stringify writes 2.0 as 2, which the CLI would read as an int.
  function cliJsonText(v) {
    if (v.type === "double") return pyFloat(v.value);
    if (v.type === "array") return "[" + v.value.map(cliJsonText).join(", ") + "]";
    if (v.type === "struct") {
      var inner = "{" + v.value.map(function (m) {
        return JSON.stringify(m[0]) + ": " + cliJsonText(m[1]);
      }).join(", ") + "}";
      return v.value.length === 1 && v.value[0][0].charAt(0) === "$" ? '{"$struct": ' + inner + "}" : inner;
    }
    return JSON.stringify(cliJson(v));
  }

  function cliArg(v) {
    switch (v.type) {
      case "int":
        return v.value;
      case "i8":
        return "I/" + v.value;
      case "double":
        return "d/" + String(v.value);
      case "boolean":
        return v.value ? "true" : "false";
      case "string":
        return "s/" + v.value;
      case "base64":
        return "b64/" + v.value;
      case "dateTime.iso8601":
        return "dt/" + v.value;
      case "nil":
        return "n/";
      default:
        return cliJsonText(v);
    }
  }

  function cliSnippet(name, params) {
    var words = [name].concat(params.map(cliArg));
    var separator = /^-/.test(name) ? " --" : "";
    return "xmlrpc-kit call " + shellWord(endpoint) + separator + " " + words.map(shellWord).join(" ") + "\n";
  }

  // ---- The response document -------------------------------------------

  function childElements(node, name) {
    return Array.prototype.filter.call(node.children, function (c) {
      return name === undefined || c.localName === name;
    });
  }

  function fromXml(valueNode) {
    var typed = childElements(valueNode)[0];
    if (!typed) return { type: "string", value: valueNode.textContent };
    var text = typed.textContent;
    switch (typed.localName) {
      case "int":
      case "i4":
        return { type: "int", value: text.trim() };
      case "i8":
        return { type: "i8", value: text.trim() };
      case "double":
        return { type: "double", value: Number(text.trim()) };
      case "boolean":
        return { type: "boolean", value: text.trim() === "1" };
      case "string":
        return { type: "string", value: text };
      case "base64":
        return { type: "base64", value: text.replace(/\s+/g, "") };
      case "dateTime.iso8601":
        return { type: "dateTime.iso8601", value: text.trim() };
      case "nil":
        return { type: "nil", value: null };
      case "array":
        var data = childElements(typed, "data")[0];
        return { type: "array", value: data ? childElements(data, "value").map(fromXml) : [] };
      case "struct":
        return {
          type: "struct",
          value: childElements(typed, "member").map(function (m) {
            var n = childElements(m, "name")[0];
            var v = childElements(m, "value")[0];
            return [n ? n.textContent : "", v ? fromXml(v) : { type: "nil", value: null }];
          }),
        };
      default:
        return { type: "string", value: text };
    }
  }

  // What the answer says: "5", or "Fault 4: …".
  function answer(responseText) {
    var doc = new DOMParser().parseFromString(responseText, "text/xml");
    if (doc.getElementsByTagName("parsererror").length) fail("the response is not an XML document");
    var root = doc.documentElement;
    var fault = childElements(root, "fault")[0];
    if (fault) {
      var v = childElements(fault, "value")[0];
      var f = v ? fromXml(v) : { type: "struct", value: [] };
      var code = "", message = "";
      (f.value || []).forEach(function (m) {
        if (m[0] === "faultCode") code = m[1].value;
        if (m[0] === "faultString") message = m[1].value;
      });
      return { fault: true, text: "Fault " + code + ": " + message };
    }
    var params = childElements(root, "params")[0];
    var param = params && childElements(params, "param")[0];
    var value = param && childElements(param, "value")[0];
    if (!value) fail("the response holds no value");
    return { fault: false, text: JSON.stringify(cliJson(fromXml(value)), null, 2) };
  }

  // ---- One method's form ------------------------------------------------

  function kind(type) {
    switch (type) {
      case "int":
      case "i4":
        return "int";
      case "i8":
      case "double":
      case "boolean":
      case "string":
      case "base64":
      case "dateTime.iso8601":
      case "nil":
        return type;
      default:
        return "json";
    }
  }

  function signatureText(method, signature) {
    return method.name + "(" + signature.slice(1).join(", ") + ") → " + signature[0];
  }

  // One input: its element and how its value is read.
  function input(type) {
    var k = kind(type);
    var node;
    switch (k) {
      case "int":
      case "i8":
        node = el("input", { type: "number", step: "1", inputmode: "numeric", required: "" });
        return { node: node, read: function () { return integer(node.value, k); } };
      case "double":
        node = el("input", { type: "number", step: "any", required: "" });
        return { node: node, read: function () { return double(node.value); } };
      case "boolean":
        node = el("select", {}, [el("option", { text: "false" }), el("option", { text: "true" })]);
        return { node: node, read: function () { return { type: "boolean", value: node.value === "true" }; } };
      case "string":
        node = el("input", { type: "text" });
        return { node: node, read: function () { return string(node.value); } };
      case "base64":
        node = el("input", { type: "text", placeholder: "aGVsbG8=", spellcheck: "false" });
        return { node: node, read: function () { return base64(node.value); } };
      case "dateTime.iso8601":
        node = el("input", { type: "text", placeholder: "20260125T09:30:00", spellcheck: "false" });
        return { node: node, read: function () { return dateTime(node.value); } };
      case "nil":
        node = el("input", { type: "text", value: "nil", disabled: "" });
        return { node: node, read: function () { return { type: "nil", value: null }; } };
      default:
        var placeholder = type === "array" ? '[1, "two"]' : type === "struct" ? '{"name": "value"}' : "JSON";
        node = el("textarea", { rows: "3", placeholder: placeholder, spellcheck: "false" });
        return {
          node: node,
          read: function () {
            var v = fromJson(parseJson(node.value));
            if ((type === "array" || type === "struct") && v.type !== type) fail("this parameter takes " + (type === "array" ? "an array" : "a struct"));
            return v;
          },
        };
    }
  }

  function snippetBlock(title, className) {
    var code = el("code", { className: className });
    var copy = el("button", { type: "button", text: "Copy" });
    copy.addEventListener("click", function () {
      var done = function () { copy.textContent = "Copied"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(code.textContent).then(done, function () {});
      } else {
        var range = document.createRange();
        range.selectNodeContents(code);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      }
    });
    return { node: el("div", {}, [el("h4", { text: title }, [copy]), el("pre", {}, [code])]), code: code };
  }

  function build(holder, method) {
    var signatures = method.signatures.filter(function (s) { return s.length > 0; });
    var fields = el("div", { className: "try-params" });
    var chooser = null;
    var inputs = [];

    function showSignature(index) {
      fields.textContent = "";
      inputs = [];
      var signature = signatures[index];
      if (!signature) {
        var all = el("textarea", { rows: "3", placeholder: "[1, \"two\"]", spellcheck: "false" });
        all.value = "[]";
        fields.appendChild(el("label", {}, [el("span", { text: "Parameters, as a JSON array" }), all]));
        inputs.push({
          node: all,
          list: true,
          read: function () {
            var v = parseJson(all.value);
            if (!Array.isArray(v)) fail("the parameters are a JSON array");
            return v.map(fromJson);
          },
        });
        return;
      }
      var types = signature.slice(1);
      types.forEach(function (type, i) {
        var one = input(type);
        var label = "parameter " + (i + 1) + ": " + type;
        fields.appendChild(el("label", { className: "try-param" }, [el("span", { text: label }), one.node]));
        inputs.push(one);
      });
    }

    if (signatures.length > 1) {
      chooser = el("select", { className: "try-signature" }, signatures.map(function (s, i) {
        return el("option", { value: String(i), text: signatureText(method, s) });
      }));
      chooser.addEventListener("change", function () {
        showSignature(Number(chooser.value));
        update();
      });
    }
    showSignature(0);

    var button = el("button", { type: "submit", className: "try-call", text: "Call " + method.name });
    var form = el("form", { className: "try-form", novalidate: "" }, [
      chooser ? el("label", {}, [el("span", { text: "Signature" }), chooser]) : null,
      fields,
      button,
    ]);
    var status = el("p", { className: "try-status", role: "status" });
    var result = el("pre", { className: "try-result" });
    var request = el("pre", { className: "try-request" });
    var response = el("pre", { className: "try-response" });
    var output = el("div", { className: "try-output", hidden: "" }, [
      el("h4", { text: "Result" }), result,
      el("h4", { text: "Request" }), request,
      el("h4", { text: "Response" }), response,
    ]);
    var python = snippetBlock("Python (xmlrpc.client)", "try-snippet-python");
    var curl = snippetBlock("curl", "try-snippet-curl");
    var cli = snippetBlock("xmlrpc-kit call", "try-snippet-cli");
    var snippets = el("div", { className: "try-snippets" }, [python.node, curl.node, cli.node]);

    function params() {
      var out = [];
      inputs.forEach(function (one) {
        var v = one.read();
        if (one.list) out = out.concat(v);
        else out.push(v);
      });
      return out;
    }

    // The snippets follow the form as it is filled in.
    function update() {
      try {
        var p = params();
        python.code.textContent = pythonSnippet(method.name, p);
        curl.code.textContent = curlSnippet(method.name, p);
        cli.code.textContent = cliSnippet(method.name, p);
        status.textContent = "";
        status.classList.remove("try-error");
      } catch (e) {
        var hint = "Fill in the form: " + e.message;
        python.code.textContent = curl.code.textContent = cli.code.textContent = hint;
      }
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var p;
      try {
        p = params();
      } catch (e) {
        status.textContent = e.message;
        status.classList.add("try-error");
        return;
      }
      update();
      var body = requestXml(method.name, p);
      output.hidden = false;
      request.textContent = body;
      response.textContent = "";
      result.textContent = "";
      status.classList.remove("try-error");
      status.textContent = "Calling…";
      button.disabled = true;
      fetch(endpoint, { method: "POST", headers: { "Content-Type": "text/xml" }, body: body, credentials: "same-origin" })
        .then(function (r) {
          return r.text().then(function (text) { return { http: r, text: text }; });
        })
        .then(function (got) {
          response.textContent = got.text;
          if (!got.http.ok) fail("HTTP " + got.http.status + " " + got.http.statusText);
          var a = answer(got.text);
          result.textContent = a.text;
          status.textContent = a.fault ? "The method answered with a fault." : "Done.";
          if (a.fault) status.classList.add("try-error");
        })
        .catch(function (e) {
          status.textContent = e.message;
          status.classList.add("try-error");
        })
        .then(function () {
          button.disabled = false;
        });
    });

    update();
    holder.appendChild(el("details", { className: "try-it" }, [
      el("summary", { text: "Try it" }),
      form,
      status,
      output,
      snippets,
    ]));
  }

  Array.prototype.forEach.call(document.querySelectorAll("div.try[data-index]"), function (holder) {
    var method = methods[Number(holder.getAttribute("data-index"))];
    if (method) build(holder, method);
  });
})();
