// The peer client protocol of tests/interop/README.md, once for every Node
// library: run(call, faultOf) makes the calls through `call(method,
// ...params)` (a promise of the library's native value) and prints one
// NAME<TAB>RESULT line per check. `faultOf(error)` is [code, string] when
// the error is an XML-RPC fault, else undefined.

async function run (call, faultOf) {
  async function report (name, body) {
    let result
    try {
      result = await body()
    } catch (e) { // a fault, or the library failing to read or write a value
      const fault = faultOf(e)
      result = fault ? `ERROR fault ${fault[0]}: ${fault[1]}` : `ERROR ${e.message}`
    }
    console.log(`${name}\t${String(result).replace(/[\r\n]+/g, ' ')}`)
  }
  for (const name of await call('interop.cases')) {
    await report(name, async () => call('interop.check', name, await call('interop.case', name)))
  }
  await report('fault', async () => {
    try {
      await call('interop.fault', 4, 'Too many parameters: <&> \'quoted\' "double" é')
    } catch (e) {
      const fault = faultOf(e)
      if (!fault) throw e
      return call('interop.check', 'fault', fault)
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

module.exports = { run }
