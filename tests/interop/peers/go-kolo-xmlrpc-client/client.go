// github.com/kolo/xmlrpc as a peer client: client URL
//
// No switch: kolo/xmlrpc has no nil, and no i8 output (it reads <i8> into
// an int64 and writes every integer as <int>). Calls go through its
// NewRequest and Response (what its net/rpc Client uses), which hand over a
// fault as a FaultError{Code, String} rather than net/rpc's text.
package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/kolo/xmlrpc"
)

var url string

func call(method string, reply interface{}, args ...interface{}) error {
	request, err := xmlrpc.NewRequest(url, method, args)
	if err != nil {
		return err
	}
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		return err
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil {
		return err
	}
	if err := xmlrpc.Response(body).Err(); err != nil {
		return err
	}
	return xmlrpc.Response(body).Unmarshal(reply)
}

func check(name string, value interface{}) (string, error) {
	var answer string
	err := call("interop.check", &answer, name, value)
	return answer, err
}

func checked(name, method string, args ...interface{}) (string, error) {
	var value interface{}
	if err := call(method, &value, args...); err != nil {
		return "", err
	}
	return check(name, value)
}

func report(name string, body func() (string, error)) {
	result, err := body()
	var fault xmlrpc.FaultError
	if errors.As(err, &fault) {
		result = fmt.Sprintf("ERROR fault %d: %s", fault.Code, fault.String)
	} else if err != nil { // the library failing to read or write a value
		result = "ERROR " + err.Error()
	}
	fmt.Printf("%s\t%s\n", name, strings.NewReplacer("\r", " ", "\n", " ").Replace(result))
}

func main() {
	url = os.Args[1]
	var names []string
	if err := call("interop.cases", &names); err != nil {
		fmt.Fprintln(os.Stderr, "interop.cases:", err)
		os.Exit(1)
	}
	for _, name := range names {
		report(name, func() (string, error) { return checked(name, "interop.case", name) })
	}
	report("fault", func() (string, error) {
		err := call("interop.fault", nil, 4, "Too many parameters: <&> 'quoted' \"double\" é")
		var fault xmlrpc.FaultError
		if !errors.As(err, &fault) {
			return "ERROR no fault raised", err
		}
		return check("fault", []interface{}{fault.Code, fault.String})
	})
	report("introspection.list", func() (string, error) { return checked("introspection.list", "system.listMethods") })
	report("introspection.signature", func() (string, error) {
		return checked("introspection.signature", "system.methodSignature", "add")
	})
	report("introspection.help", func() (string, error) { return checked("introspection.help", "system.methodHelp", "add") })
	report("multicall", func() (string, error) {
		return checked("multicall", "system.multicall", []interface{}{
			map[string]interface{}{"methodName": "add", "params": []interface{}{2, 3}},
			map[string]interface{}{"methodName": "interop.fault", "params": []interface{}{4, "in a multicall"}},
			map[string]interface{}{"methodName": "echo", "params": []interface{}{"x"}},
		})
	})
}
