/* xmlrpc-c's C client library (global client, curl transport) as a peer
 * client: client URL.
 *
 * No switch for nil or i8: xmlrpc-c reads and writes <nil/> and <i8> as it
 * is. Switch: the XML size limit (512 KiB by default) is raised to 16 MiB
 * for the one-megabyte base64 case. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xmlrpc-c/base.h>
#include <xmlrpc-c/client.h>

static const char *url;

/* Prints NAME<TAB>RESULT: the string in `answer`, or the error in env, on one line. */
static void report(const char *name, xmlrpc_env *env, xmlrpc_value *answer) {
    const char *text = NULL;
    char line[4096];
    if (!env->fault_occurred)
        xmlrpc_read_string(env, answer, &text);
    if (env->fault_occurred)
        snprintf(line, sizeof line, "ERROR fault %d: %s", env->fault_code, env->fault_string);
    else
        snprintf(line, sizeof line, "%s", text);
    for (char *c = line; *c; c++)
        if (*c == '\n' || *c == '\r') *c = ' ';
    printf("%s\t%s\n", name, line);
    fflush(stdout);
    if (text) free((void *)text);
    if (answer) xmlrpc_DECREF(answer);
}

/* interop.check(name, value), or the error that made value. */
static xmlrpc_value *check(xmlrpc_env *env, const char *name, xmlrpc_value *value) {
    if (env->fault_occurred) return NULL;
    xmlrpc_value *answer = xmlrpc_client_call(env, url, "interop.check", "(sV)", name, value);
    xmlrpc_DECREF(value);
    return answer;
}

int main(int argc, char **argv) {
    xmlrpc_env env;
    xmlrpc_value *names;
    if (argc < 2) { fprintf(stderr, "usage: client URL\n"); return 2; }
    url = argv[1];
    xmlrpc_env_init(&env);
    xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, 16 * 1024 * 1024);
    xmlrpc_client_init2(&env, XMLRPC_CLIENT_NO_FLAGS, "interop", "1.0", NULL, 0);
    names = xmlrpc_client_call(&env, url, "interop.cases", "()");
    if (env.fault_occurred) { fprintf(stderr, "interop.cases: %s\n", env.fault_string); return 1; }

    for (int i = 0; i < xmlrpc_array_size(&env, names); i++) {
        xmlrpc_value *item;
        const char *name;
        xmlrpc_array_read_item(&env, names, i, &item);
        xmlrpc_read_string(&env, item, &name);
        xmlrpc_env_init(&env);
        xmlrpc_value *value = xmlrpc_client_call(&env, url, "interop.case", "(s)", name);
        report(name, &env, check(&env, name, value));
        xmlrpc_env_clean(&env);
        xmlrpc_env_init(&env);
        free((void *)name);
        xmlrpc_DECREF(item);
    }

    xmlrpc_value *r = xmlrpc_client_call(&env, url, "interop.fault", "(is)", 4,
        "Too many parameters: <&> 'quoted' \"double\" \xc3\xa9");
    if (env.fault_occurred) {
        xmlrpc_env env2;
        xmlrpc_env_init(&env2);
        xmlrpc_value *got = xmlrpc_build_value(&env2, "(is)", env.fault_code, env.fault_string);
        xmlrpc_env_clean(&env);
        env = env2;
        report("fault", &env, check(&env, "fault", got));
    } else {
        xmlrpc_DECREF(r);
        printf("fault\tERROR no fault raised\n");
    }
    xmlrpc_env_clean(&env);

    xmlrpc_env_init(&env);
    report("introspection.list", &env, check(&env, "introspection.list",
        xmlrpc_client_call(&env, url, "system.listMethods", "()")));
    xmlrpc_env_clean(&env);
    xmlrpc_env_init(&env);
    report("introspection.signature", &env, check(&env, "introspection.signature",
        xmlrpc_client_call(&env, url, "system.methodSignature", "(s)", "add")));
    xmlrpc_env_clean(&env);
    xmlrpc_env_init(&env);
    report("introspection.help", &env, check(&env, "introspection.help",
        xmlrpc_client_call(&env, url, "system.methodHelp", "(s)", "add")));
    xmlrpc_env_clean(&env);
    xmlrpc_env_init(&env);
    report("multicall", &env, check(&env, "multicall",
        xmlrpc_client_call(&env, url, "system.multicall", "(({s:s,s:(ii)}{s:s,s:(is)}{s:s,s:(s)}))",
            "methodName", "add", "params", 2, 3,
            "methodName", "interop.fault", "params", 4, "in a multicall",
            "methodName", "echo", "params", "x")));
    xmlrpc_env_clean(&env);

    xmlrpc_DECREF(names);
    xmlrpc_client_cleanup();
    return 0;
}
