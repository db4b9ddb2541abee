//! serde both ways over the types the module's table documents.

use serde::{Deserialize, Serialize};

use super::*;
use crate::DateTime;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Shape {
    Dot,
    Circle(f64),
    Rect { w: i32, h: i32 },
    Pair(i32, i32),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Order {
    id: u64,
    big: i64,
    name: String,
    tags: Vec<String>,
    when: DateTime,
    note: Option<String>,
    #[serde(with = "serde_bytes")]
    blob: Vec<u8>,
    shapes: Vec<Shape>,
    pair: (i32, bool),
}

fn order() -> Order {
    Order {
        id: 7,
        big: 1 << 40,
        name: "é <&>".into(),
        tags: vec!["a".into(), "b".into()],
        when: "20261130T14:00:00".parse().unwrap(),
        note: None,
        blob: vec![0, 255, 7],
        shapes: vec![
            Shape::Dot,
            Shape::Circle(0.5),
            Shape::Rect { w: 2, h: 3 },
            Shape::Pair(1, 2),
        ],
        pair: (9, true),
    }
}

#[test]
fn types_map_to_the_xml_rpc_types_documented() {
    let value = to_value(&order()).unwrap();
    let members = value.as_struct().unwrap();
    assert_eq!(members["id"], Value::Int(7));
    assert_eq!(members["big"], Value::I8(1 << 40));
    assert_eq!(members["name"], Value::String("é <&>".into()));
    assert!(matches!(members["when"], Value::DateTime(_)));
    assert_eq!(members["note"], Value::Nil);
    assert_eq!(members["blob"], Value::Base64(vec![0, 255, 7]));
    let shapes = members["shapes"].as_array().unwrap();
    assert_eq!(shapes[0], Value::String("Dot".into()));
    assert_eq!(shapes[1].as_struct().unwrap()["Circle"], Value::Double(0.5));
    assert_eq!(
        members["pair"],
        Value::Array(vec![Value::Int(9), Value::Bool(true)])
    );
    assert_eq!(from_value::<Order>(value).unwrap(), order());
}

#[test]
fn errors_say_what_does_not_fit() {
    assert!(
        to_value(&u128::MAX)
            .unwrap_err()
            .to_string()
            .contains("does not fit in 64 bits")
    );
    let mut map = std::collections::BTreeMap::new();
    map.insert(1, 2);
    assert!(
        to_value(&map)
            .unwrap_err()
            .to_string()
            .contains("member name must be a string")
    );
    let e = from_value::<Order>(Value::Int(3)).unwrap_err();
    assert!(e.to_string().contains("invalid type"), "{e}");
    let e = from_value::<u8>(Value::Int(300)).unwrap_err();
    assert!(e.to_string().contains("300"), "{e}");
}

#[test]
fn member_names_of_any_length_are_keys_fields_and_variants() {
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Long {
        a_field_whose_name_is_longer_than_twenty_four_bytes: i32,
        short: i32,
    }
    let value = to_value(&Long {
        a_field_whose_name_is_longer_than_twenty_four_bytes: 1,
        short: 2,
    })
    .unwrap();
    let back: Long = from_value(value.clone()).unwrap();
    assert_eq!(back.a_field_whose_name_is_longer_than_twenty_four_bytes, 1);
    let map: std::collections::BTreeMap<String, i32> = from_value(value).unwrap();
    assert_eq!(
        map.keys().collect::<Vec<_>>(),
        [
            "a_field_whose_name_is_longer_than_twenty_four_bytes",
            "short"
        ]
    );
    let e = from_value::<Shape>(Value::Struct([("Hexagon", Value::Int(6))].into())).unwrap_err();
    assert!(e.to_string().contains("unknown variant `Hexagon`"), "{e}");
}

#[test]
fn values_round_trip_through_serde() {
    let value = to_value(&order()).unwrap();
    assert_eq!(to_value(&value).unwrap(), value);
    assert_eq!(from_value::<Value>(value.clone()).unwrap(), value);
}
