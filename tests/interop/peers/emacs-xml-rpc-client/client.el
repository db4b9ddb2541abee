;;; client.el --- Emacs xml-rpc.el as a peer client  -*- lexical-binding: t -*-
;; emacs --batch -l client.el URL
;;
;; No switch: xml-rpc.el has no nil (nil is its false and its empty list)
;; and reads <i8> as a number, written back as <int>. Values stay its Lisp
;; forms both ways (alists for structs, lists for arrays, (:base64 ...),
;; (:datetime ...)); the arrays this program builds itself are vectors.
(package-initialize)
(require 'xml-rpc)
(set-language-environment "UTF-8")
(setq url-show-status nil)

(defvar client-url (car command-line-args-left))
(setq command-line-args-left nil)

(defun client-call (method &rest params)
  (setq xml-rpc-fault-code nil xml-rpc-fault-string nil)
  (apply #'xml-rpc-method-call client-url method params))

(defun client-report (name thunk)
  (let ((result (condition-case err
                    (funcall thunk)
                  (error (if xml-rpc-fault-code
                             (format "ERROR fault %s: %s" xml-rpc-fault-code xml-rpc-fault-string)
                           ;; the library failing to read or write a value
                           (format "ERROR %s" (error-message-string err)))))))
    (princ (format "%s\t%s\n" name (replace-regexp-in-string "[\r\n]+" " " (format "%s" result))))))

(defun client-checked (name method &rest params)
  (client-call "interop.check" name (apply #'client-call method params)))

(dolist (name (client-call "interop.cases"))
  (client-report name (lambda () (client-checked name "interop.case" name))))
(client-report "fault"
  (lambda ()
    (condition-case nil
        (progn (client-call "interop.fault" 4 "Too many parameters: <&> 'quoted' \"double\" é")
               "ERROR no fault raised")
      (error (if xml-rpc-fault-code
                 (client-call "interop.check" "fault" (vector xml-rpc-fault-code xml-rpc-fault-string))
               (error "no fault: %s" xml-rpc-fault-string))))))
(client-report "introspection.list" (lambda () (client-checked "introspection.list" "system.listMethods")))
(client-report "introspection.signature"
  (lambda () (client-checked "introspection.signature" "system.methodSignature" "add")))
(client-report "introspection.help" (lambda () (client-checked "introspection.help" "system.methodHelp" "add")))
(client-report "multicall"
  (lambda ()
    (client-checked "multicall" "system.multicall"
                    (vector (list (cons "methodName" "add") (cons "params" (vector 2 3)))
                            (list (cons "methodName" "interop.fault") (cons "params" (vector 4 "in a multicall")))
                            (list (cons "methodName" "echo") (cons "params" (vector "x")))))))
