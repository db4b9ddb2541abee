#!/usr/bin/perl
# Perl XML::RPC::Fast (XML::LibXML encoder, LWP) as a peer client: perl client.pl URL
#
# No switch: XML::RPC::Fast writes 64-bit integers as <i8> itself and keeps
# a type it does not decode (i8, nil, boolean, dateTime.iso8601) as a
# scalar ref blessed into the type's name, which it writes back as that type.
use strict;
use warnings;
use XML::RPC::Fast;
use FindBin;
use lib "$FindBin::Bin/../_lib";
use Protocol;

my $rpc = XML::RPC::Fast->new($ARGV[0], ua => 'LWP', timeout => 60);

Protocol::run(
    # The result, or dies with the fault: with a callback, req hands it
    # over as { fault => { faultCode, faultString } }.
    call => sub {
        my @result;
        $rpc->req(call => [@_], cb => sub { @result = @_ });
        if (ref $result[0] eq 'HASH' && exists $result[0]{fault}) {
            my $f = $result[0]{fault};
            die bless { code => $f->{faultCode}, string => $f->{faultString} }, 'Fault';
        }
        return $result[0];
    },
    fault_of => sub { ref $_[0] eq 'Fault' ? [$_[0]{code}, $_[0]{string}] : undef },
);
