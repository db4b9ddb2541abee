// Node xmlrpc (baalexander) as a peer client: node client.js URL
//
// No switch: it always reads and writes <nil/> (null); it reads <i8> as a
// string and has no i8 output.
const xmlrpc = require('xmlrpc')

const client = xmlrpc.createClient({ url: process.argv[2] })
const call = (method, ...params) => new Promise((resolve, reject) =>
  client.methodCall(method, params, (error, value) => (error ? reject(error) : resolve(value))))

require('../_lib/protocol.js')
  .run(call, (e) => (e.faultCode !== undefined ? [e.faultCode, e.faultString] : undefined))
  .catch((e) => { console.error(e); process.exit(1) })
