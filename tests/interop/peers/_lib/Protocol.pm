# The peer client protocol of tests/interop/README.md, once for every Perl
# library: Protocol::run(%library) makes the calls and prints one
# NAME<TAB>RESULT line per check. The library gives:
#   call     => sub { my ($method, @params) = @_; ... }  the result, or dies
#   fault_of => sub { my ($error) = @_; ... }  [code, string] if $error is
#               an XML-RPC fault, else undef
#   array    => sub { ... }  an array value of @_ (default: [@_])
#   string   => sub { ... }  a string value of $_[0] (default: as it is)
#   plain    => sub { ... }  a Perl value of a result of call (default: as it is)
package Protocol;
use strict;
use warnings;

sub run {
    my (%lib) = @_;
    my $call = $lib{call};
    my $array = $lib{array} || sub { [@_] };
    my $string = $lib{string} || sub { $_[0] };
    my $plain = $lib{plain} || sub { $_[0] };
    binmode STDOUT, ':encoding(UTF-8)';

    my $check = sub { my ($name, $value) = @_; return $plain->($call->('interop.check', $string->($name), $value)) };
    my $report = sub {
        my ($name, $body) = @_;
        my $result = eval { $body->() };
        unless (defined $result) {
            my $fault = $lib{fault_of}->($@);
            $result = $fault ? "ERROR fault $fault->[0]: $fault->[1]" : "ERROR $@";
        }
        $result =~ s/[\r\n]+/ /g;
        $result =~ s/\s+$//;
        print "$name\t$result\n";
    };

    for my $name (@{ $plain->($call->('interop.cases')) }) {
        $report->($name, sub { $check->($name, $call->('interop.case', $name)) });
    }
    $report->('fault', sub {
        eval { $call->('interop.fault', 4, "Too many parameters: <&> 'quoted' \"double\" \N{U+00E9}") };
        return 'ERROR no fault raised' unless $@;
        my $fault = $lib{fault_of}->($@) or die $@;
        return $check->('fault', $array->(@$fault));
    });
    $report->('introspection.list', sub { $check->('introspection.list', $call->('system.listMethods')) });
    $report->('introspection.signature', sub { $check->('introspection.signature', $call->('system.methodSignature', 'add')) });
    $report->('introspection.help', sub { $check->('introspection.help', $call->('system.methodHelp', 'add')) });
    $report->('multicall', sub {
        $check->('multicall', $call->('system.multicall', $array->(
            { methodName => 'add', params => [2, 3] },
            { methodName => 'interop.fault', params => [4, 'in a multicall'] },
            { methodName => 'echo', params => ['x'] })));
    });
}

1;
