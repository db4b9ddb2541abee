// XmlRpc++ (ROS's xmlrpcpp, Debian libxmlrpcpp-dev) as a peer client: client URL
//
// No switch: XmlRpc++ has neither nil nor i8. Values stay XmlRpcValue both ways.
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <xmlrpcpp/XmlRpc.h>

using XmlRpc::XmlRpcClient;
using XmlRpc::XmlRpcException;
using XmlRpc::XmlRpcValue;

struct Fault {
    int code;
    std::string string;
};

static XmlRpcClient *client;

// Keeps the library's last error message (it reports errors only this way).
static struct : XmlRpc::XmlRpcErrorHandler {
    std::string last;
    void error(const char *msg) override { last = msg; }
} errors;

// Calls method(params): the result, or throws Fault or a std::string error.
static XmlRpcValue call(const char *method, XmlRpcValue const &params) {
    XmlRpcValue result;
    errors.last = "the call failed";
    if (!client->execute(method, params, result))
        throw errors.last;
    if (client->isFault())
        throw Fault{int(result["faultCode"]), std::string(result["faultString"])};
    return result;
}

static XmlRpcValue args(XmlRpcValue a) { XmlRpcValue p; p[0] = a; return p; }
static XmlRpcValue args(XmlRpcValue a, XmlRpcValue b) { XmlRpcValue p; p[0] = a; p[1] = b; return p; }
static XmlRpcValue none() { XmlRpcValue p; p.setSize(0); return p; }

static std::string check(std::string const &name, XmlRpcValue const &value) {
    return std::string(call("interop.check", args(name, value)));
}

static void report(std::string const &name, std::function<std::string()> body) {
    std::string result;
    try {
        result = body();
    } catch (Fault const &f) {
        result = "ERROR fault " + std::to_string(f.code) + ": " + f.string;
    } catch (XmlRpcException const &e) {  // the library failing to read or write a value
        result = "ERROR " + e.getMessage();
    } catch (std::string const &e) {
        result = "ERROR " + e;
    }
    for (char &c : result)
        if (c == '\n' || c == '\r') c = ' ';
    std::cout << name << '\t' << result << std::endl;
}

static XmlRpcValue multicallEntry(const char *method, XmlRpcValue params) {
    XmlRpcValue entry;
    entry["methodName"] = method;
    entry["params"] = params;
    return entry;
}

int main(int argc, char **argv) {
    char host[256];
    int port;
    char path[256] = "/";
    if (argc < 2 || sscanf(argv[1], "http://%255[^:]:%d%255s", host, &port, path) < 2) {
        std::cerr << "usage: client http://HOST:PORT/PATH\n";
        return 2;
    }
    XmlRpc::setVerbosity(0);
    XmlRpc::XmlRpcErrorHandler::setErrorHandler(&errors);
    client = new XmlRpcClient(host, port, path);

    XmlRpcValue names = call("interop.cases", none());
    for (int i = 0; i < names.size(); i++) {
        std::string name = names[i];
        report(name, [&] { return check(name, call("interop.case", args(name))); });
    }
    report("fault", [] {
        try {
            call("interop.fault", args(4, "Too many parameters: <&> 'quoted' \"double\" \xc3\xa9"));
        } catch (Fault const &f) {
            return check("fault", args(f.code, f.string));
        }
        return std::string("ERROR no fault raised");
    });
    report("introspection.list", [] { return check("introspection.list", call("system.listMethods", none())); });
    report("introspection.signature",
           [] { return check("introspection.signature", call("system.methodSignature", args("add"))); });
    report("introspection.help",
           [] { return check("introspection.help", call("system.methodHelp", args("add"))); });
    report("multicall", [] {
        XmlRpcValue calls;
        calls[0] = multicallEntry("add", args(2, 3));
        calls[1] = multicallEntry("interop.fault", args(4, "in a multicall"));
        calls[2] = multicallEntry("echo", args("x"));
        return check("multicall", call("system.multicall", args(calls)));
    });
    return 0;
}
