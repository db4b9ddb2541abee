// Node xmlrpc (baalexander) as a peer client: node client.js URL
//
// No switch: it always reads and writes <nil/> (null); it reads <i8> as a
// string and has no i8 output.
const xmlrpc = require('xmlrpc')

const client = xmlrpc.createClient({ url: process.argv[2] })
const call = (method, ...params) => new Promise((resolve, reject) =>
  client.methodCall(method, params, (error, value) => (error ? reject(error) : resolve(value))))

async function report (name, body) {
  let result
  try {
    result = await body()
  } catch (e) { // a fault (faultCode, faultString) or the library failing
    result = e.faultCode !== undefined ? `ERROR fault ${e.faultCode}: ${e.faultString}` : `ERROR ${e.message}`
  }
  console.log(`${name}\t${String(result).replace(/[\r\n]+/g, ' ')}`)
}

async function main () {
  for (const name of await call('interop.cases')) {
    await report(name, async () => call('interop.check', name, await call('interop.case', name)))
  }
  await report('fault', async () => {
    try {
      await call('interop.fault', 4, 'Too many parameters: <&> \'quoted\' "double" é')
    } catch (e) {
      if (e.faultCode === undefined) throw e
      return call('interop.check', 'fault', [e.faultCode, e.faultString])
    }
    return 'ERROR no fault raised'
  })
  const checked = async (name, method, ...params) => call('interop.check', name, await call(method, ...params))
  await report('introspection.list', () => checked('introspection.list', 'system.listMethods'))
  await report('introspection.signature', () => checked('introspection.signature', 'system.methodSignature', 'add'))
  await report('introspection.help', () => checked('introspection.help', 'system.methodHelp', 'add'))
  await report('multicall', () => checked('multicall', 'system.multicall', [
    { methodName: 'add', params: [2, 3] },
    { methodName: 'interop.fault', params: [4, 'in a multicall'] },
    { methodName: 'echo', params: ['x'] }
  ]))
}

main().catch((e) => { console.error(e); process.exit(1) })
