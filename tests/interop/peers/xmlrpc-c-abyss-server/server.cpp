// xmlrpc-c's C++ Abyss server as an interop peer server:
//   server PORT   (127.0.0.1, path /RPC2)
// echo, fault, add, and xmlrpc-c's own system.listMethods,
// system.methodSignature, system.methodHelp and system.multicall.
// The XML size limit is raised from its 512 KiB default to 16 MiB so the
// megabyte case fits (a setting, like rTorrent's size_limit).
#include <cstdlib>
#include <string>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <xmlrpc-c/base.h>
#include <xmlrpc-c/base.hpp>
#include <xmlrpc-c/registry.hpp>
#include <xmlrpc-c/server_abyss.hpp>

class Echo : public xmlrpc_c::method {
public:
    Echo() { _help = "Returns its argument."; }
    void execute(const xmlrpc_c::paramList &p, xmlrpc_c::value *r) {
        p.verifyEnd(1);
        *r = p[0];
    }
};

class Fault : public xmlrpc_c::method {
public:
    Fault() { _signature = "i:is"; _help = "Raises a fault with the given code and string."; }
    void execute(const xmlrpc_c::paramList &p, xmlrpc_c::value *) {
        int code = p.getInt(0);
        std::string string = p.getString(1);
        p.verifyEnd(2);
        throw xmlrpc_c::fault(string, static_cast<xmlrpc_c::fault::code_t>(code));
    }
};

class Add : public xmlrpc_c::method {
public:
    Add() { _signature = "i:ii"; _help = "Adds two numbers."; }
    void execute(const xmlrpc_c::paramList &p, xmlrpc_c::value *r) {
        int a = p.getInt(0), b = p.getInt(1);
        p.verifyEnd(2);
        *r = xmlrpc_c::value_int(a + b);
    }
};

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, 16 * 1024 * 1024);
    xmlrpc_c::registry reg;
    reg.addMethod("echo", new Echo);
    reg.addMethod("fault", new Fault);
    reg.addMethod("add", new Add);
    struct sockaddr_in sa = {};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(atoi(argv[1]));
    sa.sin_addr.s_addr = inet_addr("127.0.0.1");
    xmlrpc_c::serverAbyss server(xmlrpc_c::serverAbyss::constrOpt()
        .registryP(&reg)
        .sockAddrP(reinterpret_cast<const struct sockaddr *>(&sa))
        .sockAddrLen(sizeof(sa))
        .uriPath("/RPC2")
        .logFileName("/dev/null"));
    server.run();
    return 0;
}
