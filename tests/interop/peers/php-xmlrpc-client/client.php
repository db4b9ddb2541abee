<?php
// PHP xmlrpc extension (xmlrpc-epi: xmlrpc_encode_request, xmlrpc_decode)
// as a peer client over PHP's HTTP stream: php client.php URL
//
// Switches: 'encoding' => 'UTF-8' both ways and 'escaping' => 'markup' (the
// defaults, iso-8859-1 and escaping every non-ASCII byte as &#N;, mangle UTF-8).
// No switch for nil (it always reads and writes <nil/>); it has no i8.
// Base64 and dates come back as objects (xmlrpc_type, scalar) and go out as such.
$url = $argv[1];

class Fault extends Exception {}

function call($method, ...$params) {
    global $url;
    $request = xmlrpc_encode_request($method, $params, ['encoding' => 'UTF-8', 'escaping' => 'markup']);
    $context = stream_context_create(['http' => [
        'method' => 'POST', 'header' => "Content-Type: text/xml\r\n", 'content' => $request, 'timeout' => 60]]);
    $body = @file_get_contents($url, false, $context);
    if ($body === false) throw new Exception(error_get_last()['message'] ?? 'HTTP request failed');
    $result = xmlrpc_decode($body, 'UTF-8');
    if (is_array($result) && xmlrpc_is_fault($result)) throw new Fault($result['faultString'], $result['faultCode']);
    return $result;
}

function report($name, $body) {
    try {
        $result = $body();
    } catch (Fault $f) {
        $result = "ERROR fault {$f->getCode()}: {$f->getMessage()}";
    } catch (Throwable $e) { // the library failing to read or write a value
        $result = 'ERROR ' . $e->getMessage();
    }
    echo $name, "\t", preg_replace('/[\r\n]+/', ' ', (string) $result), "\n";
}

foreach (call('interop.cases') as $name) {
    report($name, fn() => call('interop.check', $name, call('interop.case', $name)));
}
report('fault', function () {
    try {
        call('interop.fault', 4, "Too many parameters: <&> 'quoted' \"double\" é");
    } catch (Fault $f) {
        return call('interop.check', 'fault', [$f->getCode(), $f->getMessage()]);
    }
    return 'ERROR no fault raised';
});
report('introspection.list', fn() => call('interop.check', 'introspection.list', call('system.listMethods')));
report('introspection.signature', fn() => call('interop.check', 'introspection.signature', call('system.methodSignature', 'add')));
report('introspection.help', fn() => call('interop.check', 'introspection.help', call('system.methodHelp', 'add')));
report('multicall', fn() => call('interop.check', 'multicall', call('system.multicall', [
    ['methodName' => 'add', 'params' => [2, 3]],
    ['methodName' => 'interop.fault', 'params' => [4, 'in a multicall']],
    ['methodName' => 'echo', 'params' => ['x']],
])));
