// npm "@foxglove/xmlrpc" (XmlRpcServer on its Node.js HTTP backend) as an
// interop peer server:   node server.js PORT   (127.0.0.1, any path)
// echo, fault, add, and the library's built-in system.multicall; it has
// no introspection.
const { XmlRpcServer, XmlRpcFault } = require('@foxglove/xmlrpc');
const { HttpServerNodejs } = require('@foxglove/xmlrpc/nodejs');

const server = new XmlRpcServer(new HttpServerNodejs());
server.setHandler('echo', async (method, args) => args[0]);
server.setHandler('fault', async (method, args) => {
  throw new XmlRpcFault(args[1], args[0]);
});
server.setHandler('add', async (method, args) => args[0] + args[1]);
server.listen(Number(process.argv[2]), '127.0.0.1').catch((err) => {
  console.error(err);
  process.exit(1);
});
