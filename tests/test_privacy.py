from yiye.privacy import keyed_hash, load_or_create_key, mask_id, mask_phone, mask_value


def test_mask_id_keeps_first_six_and_last_four():
    assert mask_id("31011519800101123X") == "310115********123X"


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"


def test_mask_value_masks_ids_and_phones_but_not_text():
    assert mask_value("31011519800101123X") == "310115********123X"
    assert mask_value("13812345678") == "138****5678"
    assert mask_value("2023年13月") == "2023年13月"


def test_key_created_once_and_hash_is_stable(tmp_path, monkeypatch):
    monkeypatch.delenv("YIYE_PERSON_KEY", raising=False)
    key_file = tmp_path / "secret.key"
    k1 = load_or_create_key(key_file)
    k2 = load_or_create_key(key_file)
    assert k1 == k2 and len(k1) == 64
    h = keyed_hash(k1, "31011519800101123X")
    assert h == keyed_hash(k2, "31011519800101123X")
    assert h != keyed_hash(b"other", "31011519800101123X")
    assert "31011519800101123X" not in h
