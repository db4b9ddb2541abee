#!/usr/bin/perl
# Frontier::RPC2 (libfrontier-rpc-perl) as an interop peer server:
#   perl server.pl PORT   (127.0.0.1, path /RPC2)
# echo, fault, add; Frontier has no introspection and no multicall.
#
# The loop is Frontier::Daemon's own (HTTP::Daemon, one request per
# connection, POST /RPC2 only, Frontier::RPC2->serve) with one change: the
# response is encoded to UTF-8 bytes. Frontier::Daemon hands serve()'s
# character string to HTTP::Message unencoded, which dies ("content must
# be bytes") on the first non-ASCII string and takes the server down.
# use_objects keeps <int> and <string> as typed objects (else a string of
# digits would come back as an int), as Frontier::Daemon's option does.
use strict;
use warnings;
use Encode ();
use Frontier::RPC2;
use HTTP::Daemon;
use HTTP::Response;
use HTTP::Status;

my %methods = (
    echo  => sub { $_[0] },
    # Frontier turns anything a method dies with into fault 4,
    # "error executing RPC `fault'.\n" followed by the message.
    fault => sub { die $_[1]->value . "\n" },
    add   => sub { Frontier::RPC2::Integer->new($_[0]->value + $_[1]->value) },
);

my $daemon = HTTP::Daemon->new(LocalAddr => '127.0.0.1', LocalPort => $ARGV[0], ReuseAddr => 1)
    or die "cannot listen: $!\n";
my $coder = Frontier::RPC2->new(use_objects => 1);
while (my $conn = $daemon->accept) {
    if (my $rq = $conn->get_request) {
        if ($rq->method eq 'POST' && $rq->url->path eq '/RPC2') {
            my $response = HTTP::Response->new(200);
            $response->header('Content-Type' => 'text/xml');
            $response->content(Encode::encode('UTF-8', $coder->serve($rq->content, \%methods)));
            $conn->send_response($response);
        } else {
            $conn->send_error(RC_FORBIDDEN);
        }
    }
    $conn->close;
}
