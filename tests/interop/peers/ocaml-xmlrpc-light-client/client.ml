(* OCaml XmlRpc-Light (XmlRpc.client over Ocamlnet) as a peer client: client URL

   No switch: it reads and writes `Nil as it is; it has no i8 type.
   Values stay XmlRpc.value both ways. *)

let rpc = new XmlRpc.client ~timeout:60.0 Sys.argv.(1)
let call = rpc#call

let check name value =
  match call "interop.check" [ `String name; value ] with
  | `String s -> s
  | other -> "ERROR interop.check answered " ^ XmlRpc.dump other

let report name body =
  let result =
    try body () with
    | XmlRpc.Error (code, msg) -> Printf.sprintf "ERROR fault %d: %s" code msg
    | e -> "ERROR " ^ Printexc.to_string e (* the library failing to read or write a value *)
  in
  let one_line = String.map (fun c -> if c = '\n' || c = '\r' then ' ' else c) result in
  Printf.printf "%s\t%s\n%!" name one_line

let () =
  (match call "interop.cases" [] with
   | `Array names ->
       List.iter
         (function
           | `String name -> report name (fun () -> check name (call "interop.case" [ `String name ]))
           | _ -> ())
         names
   | other -> prerr_endline ("interop.cases answered " ^ XmlRpc.dump other));
  report "fault" (fun () ->
      match call "interop.fault" [ `Int 4; `String "Too many parameters: <&> 'quoted' \"double\" \xc3\xa9" ] with
      | exception XmlRpc.Error (code, msg) -> check "fault" (`Array [ `Int code; `String msg ])
      | _ -> "ERROR no fault raised");
  report "introspection.list" (fun () -> check "introspection.list" (call "system.listMethods" []));
  report "introspection.signature" (fun () ->
      check "introspection.signature" (call "system.methodSignature" [ `String "add" ]));
  report "introspection.help" (fun () -> check "introspection.help" (call "system.methodHelp" [ `String "add" ]));
  report "multicall" (fun () ->
      let one name params = `Struct [ ("methodName", `String name); ("params", `Array params) ] in
      check "multicall"
        (call "system.multicall"
           [ `Array
               [ one "add" [ `Int 2; `Int 3 ];
                 one "interop.fault" [ `Int 4; `String "in a multicall" ];
                 one "echo" [ `String "x" ] ] ]))
