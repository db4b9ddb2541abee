#!/usr/bin/perl
# Perl XMLRPC::Lite (SOAP::Lite's XML-RPC side) as a peer client: perl client.pl URL
#
# No switch: XMLRPC::Lite reads <nil/> as undef (and writes undef as an empty
# <value/>) and has no i8. Values come back as plain Perl scalars, arrays and
# hashes, and are typed again by their look when sent.
use strict;
use warnings;
use XMLRPC::Lite;
use FindBin;
use lib "$FindBin::Bin/../_lib";
use Protocol;

my $client = XMLRPC::Lite->proxy($ARGV[0]);

Protocol::run(
    call => sub {
        my $som = $client->call(@_);
        die bless { code => $som->faultcode, string => $som->faultstring }, 'Fault' if $som->fault;
        return $som->result;
    },
    fault_of => sub { ref $_[0] eq 'Fault' ? [$_[0]{code}, $_[0]{string}] : undef },
);
