#!/usr/bin/perl
# Perl RPC::XML::Client as a peer client: perl client.pl URL
#
# Switches: $RPC::XML::ALLOW_NIL = 1 (read and write <nil/>; it reads and
# writes <i8> as it is) and $RPC::XML::ENCODING = 'UTF-8' (the default
# declares us-ascii while the text goes out as UTF-8). Values stay RPC::XML
# objects (send_request) both ways.
use strict;
use warnings;
use RPC::XML;
use RPC::XML::Client;
use FindBin;
use lib "$FindBin::Bin/../_lib";
use Protocol;

$RPC::XML::ALLOW_NIL = 1;
$RPC::XML::ENCODING = 'UTF-8';
my $client = RPC::XML::Client->new($ARGV[0]);

Protocol::run(
    # The RPC::XML value, or dies with the fault or the error.
    call => sub {
        my $r = $client->send_request(@_);
        die "$r\n" unless ref $r;
        die bless { code => $r->code, string => $r->string }, 'Fault' if $r->is_fault;
        return $r;
    },
    fault_of => sub { ref $_[0] eq 'Fault' ? [$_[0]{code}, $_[0]{string}] : undef },
    array => sub { RPC::XML::array->new(@_) },
    string => sub { RPC::XML::string->new($_[0]) },
    plain => sub { $_[0]->value },
);
