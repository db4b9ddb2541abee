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

$RPC::XML::ALLOW_NIL = 1;
$RPC::XML::ENCODING = 'UTF-8';
binmode STDOUT, ':encoding(UTF-8)';
my $client = RPC::XML::Client->new($ARGV[0]);

# Calls method(args): the RPC::XML value, or dies with "fault CODE: STRING" or the error.
sub call {
    my ($method, @args) = @_;
    my $r = $client->send_request($method, @args);
    die "$r\n" unless ref $r;
    die sprintf("fault %d: %s\n", $r->code, $r->string) if $r->is_fault;
    return $r;
}

sub check { my ($name, $value) = @_; return call('interop.check', RPC::XML::string->new($name), $value)->value }

sub report {
    my ($name, $body) = @_;
    my $result = eval { $body->() };
    $result = "ERROR $@" unless defined $result;
    $result =~ s/[\r\n]+/ /g;
    $result =~ s/\s+$//;
    print "$name\t$result\n";
}

for my $name (@{ call('interop.cases')->value }) {
    report($name, sub { check($name, call('interop.case', $name)) });
}
report('fault', sub {
    my $r = $client->send_request('interop.fault', 4, "Too many parameters: <&> 'quoted' \"double\" \x{e9}");
    die "$r\n" unless ref $r;
    return 'ERROR no fault raised' unless $r->is_fault;
    return check('fault', RPC::XML::array->new($r->code, $r->string));
});
report('introspection.list', sub { check('introspection.list', call('system.listMethods')) });
report('introspection.signature', sub { check('introspection.signature', call('system.methodSignature', 'add')) });
report('introspection.help', sub { check('introspection.help', call('system.methodHelp', 'add')) });
report('multicall', sub {
    check('multicall', call('system.multicall', RPC::XML::array->new(
        { methodName => 'add', params => [2, 3] },
        { methodName => 'interop.fault', params => [4, 'in a multicall'] },
        { methodName => 'echo', params => ['x'] })));
});
