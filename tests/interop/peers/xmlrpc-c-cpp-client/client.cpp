// xmlrpc-c's C++ client library (client_xml + rpc over curl) as a peer
// client: client URL.
//
// No switch for nil or i8: xmlrpc-c reads and writes <nil/> and <i8> as it
// is (value_nil, value_i8). Switch: the XML size limit (512 KiB by default)
// is raised to 16 MiB for the one-megabyte base64 case.
#include <iostream>
#include <string>
#include <map>
#include <vector>
#include <xmlrpc-c/base.hpp>
#include <xmlrpc-c/client.hpp>
#include <xmlrpc-c/client_transport.hpp>

using namespace xmlrpc_c;

struct Fault {
    int code;
    std::string string;
};

static clientXmlTransport_curl *transport;
static client_xml *xml_client;
static carriageParm_curl0 *where;

// Calls method(params): the result, or throws Fault.
static value call(std::string const &method, paramList const &params) {
    rpcPtr rpc(method, params);
    rpc->call(xml_client, where);
    if (!rpc->isSuccessful()) {
        fault f = rpc->getFault();
        throw Fault{f.getCode(), f.getDescription()};
    }
    return rpc->getResult();
}

static std::string check(std::string const &name, value const &got) {
    return value_string(call("interop.check", paramList().add(value_string(name)).add(got)));
}

template <typename F> static void report(std::string const &name, F body) {
    std::string result;
    try {
        result = body();
    } catch (Fault const &f) {
        result = "ERROR fault " + std::to_string(f.code) + ": " + f.string;
    } catch (std::exception const &e) {  // the library failing to read or write a value
        result = std::string("ERROR ") + e.what();
    }
    for (char &c : result)
        if (c == '\n' || c == '\r') c = ' ';
    std::cout << name << '\t' << result << std::endl;
}

int main(int argc, char **argv) {
    if (argc < 2) { std::cerr << "usage: client URL\n"; return 2; }
    xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, 16 * 1024 * 1024);
    transport = new clientXmlTransport_curl();
    xml_client = new client_xml(transport);
    where = new carriageParm_curl0(argv[1]);

    std::vector<value> names = value_array(call("interop.cases", paramList())).vectorValueValue();
    for (value const &n : names) {
        std::string name = value_string(n);
        report(name, [&] { return check(name, call("interop.case", paramList().add(n))); });
    }
    report("fault", [&] {
        try {
            call("interop.fault", paramList().add(value_int(4)).add(value_string(
                "Too many parameters: <&> 'quoted' \"double\" \xc3\xa9")));
        } catch (Fault const &f) {
            std::vector<value> got{value_int(f.code), value_string(f.string)};
            return check("fault", value_array(got));
        }
        return std::string("ERROR no fault raised");
    });
    report("introspection.list", [&] {
        return check("introspection.list", call("system.listMethods", paramList()));
    });
    report("introspection.signature", [&] {
        return check("introspection.signature",
                     call("system.methodSignature", paramList().add(value_string("add"))));
    });
    report("introspection.help", [&] {
        return check("introspection.help",
                     call("system.methodHelp", paramList().add(value_string("add"))));
    });
    report("multicall", [&] {
        auto one = [](std::string method, std::vector<value> params) {
            std::map<std::string, value> call{{"methodName", value_string(method)},
                                              {"params", value_array(params)}};
            return value_struct(call);
        };
        std::vector<value> calls{
            one("add", {value_int(2), value_int(3)}),
            one("interop.fault", {value_int(4), value_string("in a multicall")}),
            one("echo", {value_string("x")}),
        };
        return check("multicall", call("system.multicall", paramList().add(value_array(calls))));
    });
    return 0;
}
