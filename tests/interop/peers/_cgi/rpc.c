/* xmlrpc-c's C CGI server (libxmlrpc-core-c3-dev) as an interop peer
 * server behind a web server's CGI: echo, fault, add, and xmlrpc-c's own
 * system.listMethods, system.methodSignature, system.methodHelp and
 * system.multicall. The XML size limit is raised from its 512 KiB default
 * to 16 MiB so the megabyte case fits (a setting, like rTorrent's
 * size_limit).
 *   gcc -o rpc.cgi rpc.c $(xmlrpc-c-config cgi-server --cflags --libs) */
#include <stdlib.h>
#include <xmlrpc-c/base.h>
#include <xmlrpc-c/server.h>
#include <xmlrpc-c/server_cgi.h>

static xmlrpc_value *echo(xmlrpc_env *env, xmlrpc_value *params, void *server, void *call) {
    xmlrpc_value *x;
    (void)server; (void)call;
    xmlrpc_decompose_value(env, params, "(V)", &x);
    return env->fault_occurred ? NULL : x;
}

static xmlrpc_value *fault(xmlrpc_env *env, xmlrpc_value *params, void *server, void *call) {
    xmlrpc_int32 code;
    const char *string;
    (void)server; (void)call;
    xmlrpc_decompose_value(env, params, "(is)", &code, &string);
    if (!env->fault_occurred) {
        xmlrpc_env_set_fault(env, code, string);
        free((void *)string);
    }
    return NULL;
}

static xmlrpc_value *add(xmlrpc_env *env, xmlrpc_value *params, void *server, void *call) {
    xmlrpc_int32 a, b;
    (void)server; (void)call;
    xmlrpc_decompose_value(env, params, "(ii)", &a, &b);
    return env->fault_occurred ? NULL : xmlrpc_build_value(env, "i", a + b);
}

int main(void) {
    xmlrpc_env env;
    xmlrpc_registry *registry;
    struct xmlrpc_method_info3 const methods[] = {
        { .methodName = "echo", .methodFunction = echo, .help = "Returns its argument." },
        { .methodName = "fault", .methodFunction = fault, .signatureString = "i:is",
          .help = "Raises a fault with the given code and string." },
        { .methodName = "add", .methodFunction = add, .signatureString = "i:ii",
          .help = "Adds two numbers." },
    };
    size_t i;
    xmlrpc_env_init(&env);
    xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, 16 * 1024 * 1024);
    registry = xmlrpc_registry_new(&env);
    for (i = 0; i < sizeof methods / sizeof methods[0] && !env.fault_occurred; i++)
        xmlrpc_registry_add_method3(&env, registry, &methods[i]);
    if (env.fault_occurred)
        return 1;
    xmlrpc_server_cgi_process_call(registry);
    xmlrpc_registry_free(registry);
    xmlrpc_env_clean(&env);
    return 0;
}
