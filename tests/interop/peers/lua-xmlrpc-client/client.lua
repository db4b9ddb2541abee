-- Lua xmlrpc (Kepler project's LuaXMLRPC, xmlrpc.http over LuaSocket) as a
-- peer client: lua5.1 client.lua URL
--
-- No switch: it has neither nil nor i8. Decoded values are plain Lua
-- values and tables; a table is sent as a <struct> unless typed with
-- xmlrpc.newArray, as the arrays this program builds itself are.
local xmlrpc = require "xmlrpc"
local http = require "xmlrpc.http"

local url = arg[1]
local function array(t) return xmlrpc.newTypedValue(t, xmlrpc.newArray()) end

-- Calls method(...): the result, or raises {code, string} for a fault.
local function call(method, ...)
  local ok, result, code = http.call(url, method, ...)
  if not ok then error({ code = code, string = result }, 0) end
  return result
end

local function report(name, body)
  local ok, result = pcall(body)
  if not ok then
    if type(result) == "table" then
      result = "ERROR fault " .. tostring(result.code) .. ": " .. tostring(result.string)
    else -- the library failing to read or write a value
      result = "ERROR " .. tostring(result)
    end
  end
  print(name .. "\t" .. (tostring(result):gsub("[\r\n]+", " ")))
end

for _, name in ipairs(call("interop.cases")) do
  report(name, function() return call("interop.check", name, call("interop.case", name)) end)
end
report("fault", function()
  local ok, f = pcall(call, "interop.fault", 4, "Too many parameters: <&> 'quoted' \"double\" é")
  if ok then return "ERROR no fault raised" end
  if type(f) ~= "table" then error(f, 0) end
  return call("interop.check", "fault", array { f.code, f.string })
end)
report("introspection.list", function() return call("interop.check", "introspection.list", call("system.listMethods")) end)
report("introspection.signature", function()
  return call("interop.check", "introspection.signature", call("system.methodSignature", "add"))
end)
report("introspection.help", function() return call("interop.check", "introspection.help", call("system.methodHelp", "add")) end)
report("multicall", function()
  return call("interop.check", "multicall", call("system.multicall", array {
    { methodName = "add", params = array { 2, 3 } },
    { methodName = "interop.fault", params = array { 4, "in a multicall" } },
    { methodName = "echo", params = array { "x" } },
  }))
end)
