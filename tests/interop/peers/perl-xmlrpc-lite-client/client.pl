#!/usr/bin/perl
# Perl XMLRPC::Lite (SOAP::Lite's XML-RPC side) as a peer client: perl client.pl URL
#
# No switch: XMLRPC::Lite reads <nil/> as undef (and writes undef as an empty
# <value/>) and has no i8. Values come back as plain Perl scalars, arrays and
# hashes, and are typed again by their look when sent.
use strict;
use warnings;
use XMLRPC::Lite;

binmode STDOUT, ':encoding(UTF-8)';
my $client = XMLRPC::Lite->proxy($ARGV[0]);

# Calls method(args): the result, or dies with "fault CODE: STRING".
sub call {
    my $som = $client->call(@_);
    die sprintf("fault %s: %s\n", $som->faultcode, $som->faultstring) if $som->fault;
    return $som->result;
}

sub check { my ($name, $value) = @_; return call('interop.check', $name, $value) }

sub report {
    my ($name, $body) = @_;
    my $result = eval { $body->() };
    $result = "ERROR $@" unless defined $result;
    $result =~ s/[\r\n]+/ /g;
    $result =~ s/\s+$//;
    print "$name\t$result\n";
}

for my $name (@{ call('interop.cases') }) {
    report($name, sub { check($name, call('interop.case', $name)) });
}
report('fault', sub {
    my $som = $client->call('interop.fault', 4, "Too many parameters: <&> 'quoted' \"double\" \x{e9}");
    return 'ERROR no fault raised' unless $som->fault;
    return check('fault', [$som->faultcode, $som->faultstring]);
});
report('introspection.list', sub { check('introspection.list', call('system.listMethods')) });
report('introspection.signature', sub { check('introspection.signature', call('system.methodSignature', 'add')) });
report('introspection.help', sub { check('introspection.help', call('system.methodHelp', 'add')) });
report('multicall', sub {
    check('multicall', call('system.multicall', [
        { methodName => 'add', params => [2, 3] },
        { methodName => 'interop.fault', params => [4, 'in a multicall'] },
        { methodName => 'echo', params => ['x'] }]));
});
