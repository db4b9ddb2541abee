// Node davexmlrpc (Dave Winer's XML-RPC client) as a peer client: node client.js URL
//
// No switch: it has neither nil nor i8 (an unknown type is kept as the
// parsed XML object).
const xmlrpc = require('davexmlrpc')

const url = process.argv[2]
const call = (method, ...params) => new Promise((resolve, reject) =>
  xmlrpc.client(url, method, params, 'xml', (error, value) => (error ? reject(error) : resolve(value))))

require('../_lib/protocol.js')
  .run(call, (e) => (e.faultCode !== undefined ? [e.faultCode, e.faultString] : undefined))
  .catch((e) => { console.error(e); process.exit(1) })
