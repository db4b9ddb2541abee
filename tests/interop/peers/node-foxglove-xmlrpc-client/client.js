// Node @foxglove/xmlrpc (XmlRpcClient) as a peer client: node client.js URL
//
// No switch: it always reads and writes <nil/> (null); it reads <i8> as a
// string and has no i8 output.
const { XmlRpcClient, XmlRpcFault } = require('@foxglove/xmlrpc')

const client = new XmlRpcClient(process.argv[2])
const call = (method, ...params) => client.methodCall(method, params)

require('../_lib/protocol.js')
  .run(call, (e) => (e instanceof XmlRpcFault ? [e.faultCode, e.faultString] : undefined))
  .catch((e) => { console.error(e); process.exit(1) })
