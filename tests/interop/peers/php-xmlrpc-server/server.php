<?php
// PHP's xmlrpc extension (xmlrpc-epi) as an interop peer server, run by
// PHP's built-in web server:   php -S 127.0.0.1:PORT server.php   (any path)
// echo, fault, add, and xmlrpc-epi's own system.* methods (listMethods,
// methodHelp, methodSignature, describeMethods, multiCall, getCapabilities).
$server = xmlrpc_server_create();
xmlrpc_server_register_method($server, 'echo', function ($method, $params) {
    return $params[0];
});
// An array with exactly faultCode and faultString is sent as a fault.
xmlrpc_server_register_method($server, 'fault', function ($method, $params) {
    return ['faultCode' => $params[0], 'faultString' => $params[1]];
});
xmlrpc_server_register_method($server, 'add', function ($method, $params) {
    return $params[0] + $params[1];
});
// What system.methodSignature and system.methodHelp report for add.
xmlrpc_server_add_introspection_data($server, [
    'methodList' => [[
        'name' => 'add',
        'purpose' => 'Adds two numbers.',
        'signatures' => [[
            'params' => [['name' => 'a', 'type' => 'int'], ['name' => 'b', 'type' => 'int']],
            'returns' => [['type' => 'int']],
        ]],
    ]],
]);
// PHP strings are bytes, and the request's UTF-8 arrives as it was; the
// default output escaping ("markup", "non-ascii", "non-print") writes each
// byte above 127 as its own character reference, garbling every non-ASCII
// letter, so only markup is escaped and the UTF-8 bytes go out as they are.
header('Content-Type: text/xml; charset=utf-8');
echo xmlrpc_server_call_method($server, file_get_contents('php://input'), null,
    ['output_type' => 'xml', 'encoding' => 'utf-8', 'escaping' => 'markup', 'version' => 'xmlrpc']);
