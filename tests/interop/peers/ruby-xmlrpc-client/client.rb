# Ruby xmlrpc (XMLRPC::Client) as a peer client: ruby client.rb URL
#
# Switches (constants of XMLRPC::Config, set before the first call):
# ENABLE_NIL_PARSER and ENABLE_NIL_CREATE (read and write <nil/>),
# ENABLE_BIGINT (send Integers beyond 32 bits; reading <i8> is always on).
require 'xmlrpc/client'

{ ENABLE_NIL_PARSER: true, ENABLE_NIL_CREATE: true, ENABLE_BIGINT: true }.each do |name, value|
  XMLRPC::Config.send(:remove_const, name)
  XMLRPC::Config.const_set(name, value)
end

$stdout.sync = true
client = XMLRPC::Client.new2(ARGV[0], nil, 60)

def report(name)
  result = begin
    yield
  rescue XMLRPC::FaultException => f
    "ERROR fault #{f.faultCode}: #{f.faultString}"
  rescue StandardError => e # the library failing to read or write a value
    "ERROR #{e.class}: #{e.message}"
  end
  puts "#{name}\t#{result.to_s.gsub(/[\r\n]+/, ' ')}"
end

client.call('interop.cases').each do |name|
  report(name) { client.call('interop.check', name, client.call('interop.case', name)) }
end
report('fault') do
  client.call('interop.fault', 4, "Too many parameters: <&> 'quoted' \"double\" é")
  'ERROR no fault raised'
rescue XMLRPC::FaultException => f
  client.call('interop.check', 'fault', [f.faultCode, f.faultString])
end
report('introspection.list') { client.call('interop.check', 'introspection.list', client.call('system.listMethods')) }
report('introspection.signature') do
  client.call('interop.check', 'introspection.signature', client.call('system.methodSignature', 'add'))
end
report('introspection.help') { client.call('interop.check', 'introspection.help', client.call('system.methodHelp', 'add')) }
report('multicall') do
  client.call('interop.check', 'multicall', client.call('system.multicall', [
    { 'methodName' => 'add', 'params' => [2, 3] },
    { 'methodName' => 'interop.fault', 'params' => [4, 'in a multicall'] },
    { 'methodName' => 'echo', 'params' => ['x'] }
  ]))
end
