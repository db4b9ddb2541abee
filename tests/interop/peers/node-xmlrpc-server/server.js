// npm "xmlrpc" (baalexander/node-xmlrpc) as an interop peer server:
//   node server.js PORT   (127.0.0.1, any path)
// echo, fault, add; the library has no introspection and no multicall
// (an unknown method is answered with HTTP 404).
const xmlrpc = require('xmlrpc');

const server = xmlrpc.createServer({ host: '127.0.0.1', port: Number(process.argv[2]) });
server.on('echo', (err, params, callback) => callback(null, params[0]));
// The library serializes the error it is given as the fault's value.
server.on('fault', (err, params, callback) =>
  callback({ faultCode: params[0], faultString: params[1] }));
server.on('add', (err, params, callback) => callback(null, params[0] + params[1]));
server.on('NotFound', (method) => console.error(`not found: ${method}`));
