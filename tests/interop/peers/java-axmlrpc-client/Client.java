// Java aXMLRPC (de.timroes.axmlrpc) as a peer client: java Client URL
//
// Switches: XMLRPCClient.FLAGS_NIL (read and write <nil/>) and
// FLAGS_8BYTE_INT (read and write <i8> as Long).
import de.timroes.axmlrpc.XMLRPCClient;
import de.timroes.axmlrpc.XMLRPCServerException;
import java.net.URL;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

public class Client {
    static XMLRPCClient client;

    static Object check(String name, Object value) throws Exception {
        return client.call("interop.check", name, value);
    }

    static void report(String name, Callable<Object> body) {
        String result;
        try {
            result = String.valueOf(body.call());
        } catch (XMLRPCServerException f) {
            result = "ERROR fault " + f.getErrorNr() + ": " + f.getMessage();
        } catch (Exception e) { // the library failing to read or write a value
            result = "ERROR " + e;
        }
        System.out.println(name + "\t" + result.replaceAll("[\r\n]+", " "));
    }

    static Map<String, Object> call(String method, Object... params) {
        Map<String, Object> call = new HashMap<>();
        call.put("methodName", method);
        call.put("params", params);
        return call;
    }

    public static void main(String[] args) throws Exception {
        // With "apache" after the URL: FLAGS_APACHE_WS (namespaced ex:nil,
        // ex:i8 read by ignoring the prefix), as for Apache ws-xmlrpc servers.
        int flags = args.length > 1 && args[1].equals("apache")
            ? XMLRPCClient.FLAGS_APACHE_WS | XMLRPCClient.FLAGS_8BYTE_INT
            : XMLRPCClient.FLAGS_NIL | XMLRPCClient.FLAGS_8BYTE_INT;
        client = new XMLRPCClient(new URL(args[0]), flags);
        client.setTimeout(60);
        for (Object name : (Object[]) client.call("interop.cases")) {
            report((String) name, () -> check((String) name, client.call("interop.case", name)));
        }
        report("fault", () -> {
            try {
                client.call("interop.fault", 4, "Too many parameters: <&> 'quoted' \"double\" \u00e9");
            } catch (XMLRPCServerException f) {
                // getMessage() is the only way to the fault string.
                return check("fault", new Object[] {f.getErrorNr(), f.getMessage()});
            }
            return "ERROR no fault raised";
        });
        report("introspection.list", () -> check("introspection.list", client.call("system.listMethods")));
        report("introspection.signature",
                () -> check("introspection.signature", client.call("system.methodSignature", "add")));
        report("introspection.help", () -> check("introspection.help", client.call("system.methodHelp", "add")));
        report("multicall", () -> check("multicall", client.call("system.multicall", (Object) new Object[] {
            call("add", 2, 3), call("interop.fault", 4, "in a multicall"), call("echo", "x")})));
    }
}
