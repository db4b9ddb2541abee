// github.com/mattn/go-xmlrpc as a peer client: client URL
//
// No switch: it reads <nil/> as nil and writes nil as <nil/>; it reads <i8>
// into a Go int and writes every integer as <int>.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/mattn/go-xmlrpc"
)

var client *xmlrpc.Client

func check(name string, value interface{}) (interface{}, error) {
	return client.Call("interop.check", name, value)
}

func checked(name, method string, args ...interface{}) (interface{}, error) {
	value, err := client.Call(method, args...)
	if err != nil {
		return nil, err
	}
	return check(name, value)
}

// report prints NAME<TAB>RESULT; the library panics on a value it cannot write.
func report(name string, body func() (interface{}, error)) {
	var result string
	func() {
		defer func() {
			if p := recover(); p != nil {
				result = fmt.Sprintf("ERROR panic: %v", p)
			}
		}()
		answer, err := body()
		if err != nil {
			result = "ERROR " + err.Error()
		} else {
			result = fmt.Sprint(answer)
		}
	}()
	fmt.Printf("%s\t%s\n", name, strings.NewReplacer("\r", " ", "\n", " ").Replace(result))
}

func main() {
	client = xmlrpc.NewClient(os.Args[1])
	names, err := client.Call("interop.cases")
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop.cases:", err)
		os.Exit(1)
	}
	for _, name := range names.(xmlrpc.Array) {
		name := name.(string)
		report(name, func() (interface{}, error) { return checked(name, "interop.case", name) })
	}
	report("fault", func() (interface{}, error) {
		// The library has no fault type: a fault response is an error
		// ("invalid response: missing params") without code or string.
		if _, err := client.Call("interop.fault", 4, "Too many parameters: <&> 'quoted' \"double\" é"); err != nil {
			return nil, err
		}
		return "ERROR no fault raised", nil
	})
	report("introspection.list", func() (interface{}, error) { return checked("introspection.list", "system.listMethods") })
	report("introspection.signature", func() (interface{}, error) {
		return checked("introspection.signature", "system.methodSignature", "add")
	})
	report("introspection.help", func() (interface{}, error) { return checked("introspection.help", "system.methodHelp", "add") })
	report("multicall", func() (interface{}, error) {
		return checked("multicall", "system.multicall", xmlrpc.Array{
			xmlrpc.Struct{"methodName": "add", "params": xmlrpc.Array{2, 3}},
			xmlrpc.Struct{"methodName": "interop.fault", "params": xmlrpc.Array{4, "in a multicall"}},
			xmlrpc.Struct{"methodName": "echo", "params": xmlrpc.Array{"x"}},
		})
	})
}
