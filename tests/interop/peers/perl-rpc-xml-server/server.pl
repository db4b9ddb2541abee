#!/usr/bin/perl
# RPC::XML::Server (librpc-xml-perl) as an interop peer server:
#   perl server.pl PORT DIR   (127.0.0.1, any path; large messages spool to DIR)
# echo, fault, add, and the server's default system.* methods
# (listMethods, methodSignature, methodHelp, multicall, ...).
# Procedures (unlike methods, not handed the server object first) get plain
# Perl values, and RPC::XML types the result by the matched signature, so
# echo has one signature per XML-RPC type; nil needs $RPC::XML::ALLOW_NIL.
# RPC::XML declares its XML "us-ascii" by default but writes UTF-8 bytes:
# $RPC::XML::ENCODING makes the declaration match.
use strict;
use warnings;
use RPC::XML;
use RPC::XML::Server;

$RPC::XML::ALLOW_NIL = 1;
$RPC::XML::ENCODING = 'utf-8';
my ($port, $dir) = @ARGV;
my $server = RPC::XML::Server->new(
    host             => '127.0.0.1',
    port             => $port,
    message_temp_dir => $dir,
);
die "cannot start: $server\n" unless ref $server;
my @types = qw(int i4 i8 boolean string double dateTime.iso8601 base64 array struct nil);
$server->add_procedure({
    name      => 'echo',
    signature => [ map { "$_ $_" } @types ],
    help      => 'Returns its argument.',
    code      => sub { $_[0] },
});
$server->add_procedure({
    name      => 'fault',
    signature => ['int int string'],
    help      => 'Raises a fault with the given code and string.',
    code      => sub { die RPC::XML::fault->new($_[0], $_[1]) },
});
$server->add_procedure({
    name      => 'add',
    signature => ['int int int'],
    help      => 'Adds two numbers.',
    code      => sub { $_[0] + $_[1] },
});
$server->server_loop;
