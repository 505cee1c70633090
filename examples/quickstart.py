"""v8ctx in thirty lines: compile a library, call into it, handle a JavaScript error."""

import logging

import v8ctx

# console.* output goes to the "v8ctx.console" logger (or to a Context(console=...) callable).
logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")

SIGNER = """
function sign(params, secret) {
  const keys = Object.keys(params).sort();
  const query = keys.map(k => k + "=" + encodeURIComponent(params[k])).join("&");
  let h = 0;
  for (const c of query + secret) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return { query, signature: (h >>> 0).toString(16) };
}
var api = { version: () => "1.0" };
"""

with v8ctx.Context() as ctx:
    ctx.compile(SIGNER)
    print(ctx.call("sign", [{"q": "v8 in python", "page": 2}, "s3cret"]))
    print("api version:", ctx.call("api.version"))
    print("evaluate:", ctx.evaluate("[1, 2, 3].map(x => x * 2)"))
    print("awaited:", ctx.evaluate("new Promise(r => r('resolved'))"))
    ctx.evaluate("console.log('logged from JavaScript')")
    try:
        ctx.call("sign", [None, ""])
    except v8ctx.JSError as err:
        print("JSError:", err.name, "-", err.message)
