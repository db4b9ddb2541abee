#!/usr/bin/perl
# Perl Frontier::Client (Frontier::RPC2) as a peer client: perl client.pl URL
#
# No switch: Frontier::RPC2 has neither nil nor i8. Its defaults are kept:
# ints, doubles and strings come back as Perl scalars (typed again by their
# look when sent), booleans, dates and base64 as Frontier::RPC2 objects.
use strict;
use warnings;
use Frontier::Client;
use FindBin;
use lib "$FindBin::Bin/../_lib";
use Protocol;

my $client = Frontier::Client->new(url => $ARGV[0]);
Protocol::run(
    call => sub { $client->call(@_) },
    # Frontier::Client reports a fault only as this die message.
    fault_of => sub {
        $_[0] =~ /^Fault returned from XML RPC Server, fault code (-?\d+): (.*)\n\z/s
            ? [$1, $2] : undef;
    },
);
