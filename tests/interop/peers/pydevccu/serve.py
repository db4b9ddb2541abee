"""pydevccu, a HomeMatic CCU emulator, as a real service for the interop
suite: `python3 serve.py PORT` serves on http://127.0.0.1:PORT/ (also
/RPC2) three emulated devices: a switch plug (HM-LC-Sw1-Pl, VCU0000321),
a door contact (HM-Sec-SC-2) and a radiator thermostat (HM-CC-RT-DN).
Runs in the foreground; no paramset database is written (persistance off)."""

import signal
import sys

import pydevccu

DEVICES = ["HM-LC-Sw1-Pl", "HM-Sec-SC-2", "HM-CC-RT-DN"]

# Blocked before the server's thread starts, so that sigwait gets them.
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
server = pydevccu.Server(addr=("127.0.0.1", int(sys.argv[1])), devices=DEVICES,
                         persistance=False, logic=False)
server.daemon = True
server.start()
print(f"pydevccu serving {', '.join(DEVICES)} on 127.0.0.1:{sys.argv[1]}", flush=True)
signal.sigwait({signal.SIGTERM, signal.SIGINT})
server.stop()
