# Ruby's xmlrpc library (XMLRPC::Server on WEBrick) as an interop peer server:
#   ruby server.rb PORT   (127.0.0.1, any path)
# echo, fault, add, and the library's introspection and multicall.
# The library reads and writes <nil/> and integers beyond 32 bits only when
# its Config switches say so: they are turned on here.
require 'xmlrpc/server'
%i[ENABLE_NIL_PARSER ENABLE_NIL_CREATE ENABLE_BIGINT].each do |switch|
  XMLRPC::Config.send(:remove_const, switch)
  XMLRPC::Config.const_set(switch, true)
end

server = XMLRPC::Server.new(Integer(ARGV[0]), '127.0.0.1', 4, File.open(File::NULL, 'w'))
server.add_handler('echo', [], 'Returns its argument.') { |x| x }
server.add_handler('fault', %w[int int string], 'Raises a fault with the given code and string.') do |code, string|
  raise XMLRPC::FaultException.new(code, string)
end
server.add_handler('add', %w[int int int], 'Adds two numbers.') { |a, b| a + b }
server.add_introspection
server.add_multicall
server.serve
