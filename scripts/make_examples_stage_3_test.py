"""Regenerate the shipped stage-3 preference pairs and the held-out test set from the tables below.

    python scripts/make_examples_stage_3_test.py           # (re)write the two files
    python scripts/make_examples_stage_3_test.py --check   # exit 1 if the files differ from the tables

Writes ``data/examples/sample_stage_3.jsonl`` (50 DPO preference pairs) and
``data/examples/test.jsonl`` (75 held-out stage-1 examples).

Every narrative here is synthetic, written by hand for THCE: no real patient, no names, dates,
places or identifiers. Code descriptions are not typed here: they come from THCE's code
databases (``thce.codes``), so answers always match what the validator knows, and a code missing
from the shipped databases stops the script with an error.

Each preference pair's ``rejected`` answer is a realistic coding mistake (``metadata.mistake``):

* ``wrong_specificity`` - a valid but less specific code (E11.9 when hyperglycemia is documented,
  an unspecified side when laterality is documented);
* ``near_miss_code`` - a neighbouring code (E/M level, new vs established, views, dose unit,
  route, equipment variant, the other side);
* ``wrong_code_type`` - a code from the wrong system (the diagnosis when the service was asked,
  a CPT code where Medicare requires HCPCS);
* ``symptom_instead_of_diagnosis`` - a sign/symptom code although a definitive diagnosis is
  documented;
* ``missing_reasoning`` - a hasty answer with no ``<think>`` block that lands on a wrong code.

The test set is held out: its narratives appear in no training file (the script checks exact and
near-duplicate overlap with ``sample_stage_{1,2,3}.jsonl`` and fails on any). About 60 % of its
codes also occur in training (with different narratives) and the rest do not;
``metadata.code_in_training`` records which, so results can be split by seen/unseen codes.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from example_tools import describe, interleave, write_or_compare
from rapidfuzz import fuzz, process

from thce.codes import CodeValidator
from thce.data.formats import (
    build_stage_1_example,
    build_stage_3_example,
    format_answer,
    format_reasoned_answer,
    get_answer_text,
    get_narrative,
    parse_answer,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_DIR = REPO_ROOT / "data" / "examples"

# Required mixes (issue 3): 40 % ICD-10-CM, 30 % CPT, 30 % HCPCS.
PAIR_COUNTS = {"ICD10": 20, "CPT": 15, "HCPCS": 15}
TEST_COUNTS = {"ICD10": 30, "CPT": 23, "HCPCS": 22}
MISTAKES = (
    "wrong_specificity",
    "near_miss_code",
    "wrong_code_type",
    "symptom_instead_of_diagnosis",
    "missing_reasoning",
)
# Near-duplicate thresholds for held-out narratives, measured on these tables: independently
# written narratives about the same code score at most ~65 with fuzz.ratio, while copies with
# small edits score 85+. Any shared run of SHINGLE words also counts as overlap (a copied
# sentence).
NEAR_DUPLICATE_RATIO = 70.0
SHINGLE = 8


@dataclass(frozen=True)
class Case:
    """One authored narrative with its gold code (a test example or a fixture)."""

    narrative: str
    code_type: str
    code: str
    specialty: str


@dataclass(frozen=True)
class Pair:
    """One authored preference pair: gold answer with reasoning, plus a realistic mistake.

    ``rejected_reasoning`` is ``None`` exactly when ``mistake == "missing_reasoning"``.
    """

    narrative: str
    code_type: str
    code: str
    specialty: str
    reasoning: str
    mistake: str
    rejected_type: str
    rejected_code: str
    rejected_reasoning: str | None = None


# --------------------------------------------------------------------------------------------
# Stage 3: preference pairs (chosen = reasoning + correct code, rejected = a realistic mistake)
# --------------------------------------------------------------------------------------------
PAIRS: list[Pair] = [
    # ---- ICD-10-CM (20) ----
    Pair(
        "Type 2 diabetes follow-up in a 57 yo woman who stopped metformin three months ago "
        "because of stomach upset. A1c now 9.7% and random glucose 286 mg/dL, with increased "
        "thirst and waking at night to urinate. Monofilament, retinal exam and urine albumin all "
        "normal. Restarting extended-release metformin and adding a GLP-1 agonist.",
        "ICD10",
        "E11.65",
        "endocrinology",
        "The patient has type 2 diabetes with documented hyperglycemia: A1c 9.7%, glucose 286 "
        "mg/dL and osmotic symptoms. Eye, foot and kidney screening are normal, so there is no "
        "other diabetic complication to capture. ICD-10-CM treats hyperglycemia as a "
        "complication with its own combination code, E11.65, which is more specific than E11.9.",
        "wrong_specificity",
        "ICD10",
        "E11.9",
        "The patient has type 2 diabetes, and the eye, foot and kidney screening are all "
        "normal. With no diabetic complications found on screening, the diabetes is coded as "
        "uncomplicated.",
    ),
    Pair(
        "69 yo with known heart failure with reduced ejection fraction (EF 25% on the last echo) "
        "admitted after two weeks of worsening orthopnea, a 5 kg weight gain and pitting edema to "
        "the knees. BNP 2140 pg/mL; chest film shows pulmonary vascular congestion. IV furosemide "
        "started and the home beta-blocker continued.",
        "ICD10",
        "I50.23",
        "cardiology",
        "Heart failure with reduced ejection fraction is classified as systolic heart failure in "
        "ICD-10-CM. The disease is long-standing (chronic) and now decompensated with weight "
        "gain, orthopnea and congestion (acute), so the acuity is acute on chronic. That gives "
        "I50.23; I50.9 would discard both the type and the acuity the note documents.",
        "wrong_specificity",
        "ICD10",
        "I50.9",
        "The patient is admitted for decompensated heart failure with fluid overload treated "
        "with IV diuretics. Heart failure is the diagnosis for this admission, so the heart "
        "failure code is assigned.",
    ),
    Pair(
        "Tall, thin 22 yo smoker with sudden sharp right-sided chest pain and mild breathlessness "
        "that began while sitting at a desk. No trauma, no known lung disease. Chest X-ray shows a "
        "3 cm apical pneumothorax on the right. Needle aspiration with re-expansion; discharged "
        "with follow-up imaging.",
        "ICD10",
        "J93.11",
        "pulmonology",
        "A pneumothorax that occurs at rest with no injury and no underlying lung disease is a "
        "primary spontaneous pneumothorax, J93.11. The note explicitly rules out trauma, so the "
        "injury code S27.0XXA does not apply, and the absence of known lung disease rules out "
        "secondary spontaneous pneumothorax (J93.12).",
        "near_miss_code",
        "ICD10",
        "S27.0XXA",
        "The chest X-ray confirms a pneumothorax that was treated at this first visit. A "
        "pneumothorax at the initial encounter is coded with the pneumothorax code and the "
        "initial-encounter seventh character.",
    ),
    Pair(
        "Left groin pain with walking for a year in a 66 yo woman, now limiting her to one "
        "block. Internal rotation of the left hip is painful and restricted; the right hip moves "
        "freely. Radiographs show joint space loss, subchondral sclerosis and osteophytes in the "
        "left hip only. No prior injury or inflammatory arthritis. Referred for total hip "
        "arthroplasty evaluation.",
        "ICD10",
        "M16.12",
        "orthopedics",
        "Degenerative changes without injury or inflammatory disease are primary "
        "osteoarthritis. Only the left hip is affected, so this is unilateral (M16.1-) rather "
        "than bilateral (M16.0). The note documents the side, so the sixth character is 2 for "
        "the left hip: M16.12.",
        "wrong_specificity",
        "ICD10",
        "M16.10",
        "Radiographs show primary osteoarthritis limited to one hip, without injury or "
        "inflammatory arthritis. The unilateral primary hip osteoarthritis code applies.",
    ),
    Pair(
        "78 yo with distortion of straight lines in the right eye over two weeks. Acuity 20/80 "
        "right and 20/30 left. OCT of the right macula shows subretinal fluid from a choroidal "
        "neovascular membrane; the left eye has drusen only. Exudative age-related macular "
        "degeneration of the right eye with active neovascularization; first intravitreal "
        "anti-VEGF injection given today.",
        "ICD10",
        "H35.3211",
        "ophthalmology",
        "Subretinal fluid from a choroidal neovascular membrane in an older adult is exudative "
        "(wet) age-related macular degeneration, coded in H35.32-. The right eye is affected "
        "(sixth character 1) and the membrane is active and being treated (seventh character "
        "1), giving H35.3211. The dry changes in the left eye would be coded separately and do "
        "not change this code.",
        "wrong_specificity",
        "ICD10",
        "H35.30",
        "OCT confirms age-related macular degeneration and treatment was started. The macular "
        "degeneration code captures the condition.",
    ),
    Pair(
        "Nephrology visit for a 70 yo whose kidneys never fully recovered from acute tubular "
        "necrosis several years ago. eGFR 38 and 36 mL/min three months apart, urine albumin "
        "mildly increased. No diabetes, blood pressure normal without medication. Chronic kidney "
        "disease stage 3b; avoid nephrotoxins and recheck labs in three months.",
        "ICD10",
        "N18.32",
        "nephrology",
        "Two eGFR values of 36 and 38 mL/min at least three months apart establish chronic "
        "kidney disease, and an eGFR of 30 to 44 is stage 3b. ICD-10-CM splits stage 3 into "
        "N18.31 (3a) and N18.32 (3b), so the documented substage should be used instead of "
        "N18.30. With no diabetes or hypertension, no combination code is needed.",
        "wrong_specificity",
        "ICD10",
        "N18.30",
        "The patient has stage 3 chronic kidney disease and no diabetes or hypertension, so no "
        "combination code is required. The stage 3 chronic kidney disease code is assigned.",
    ),
    Pair(
        "Heartburn and acid regurgitation for a year in a 50 yo despite antacids. Upper endoscopy: "
        "LA grade B erosive esophagitis in the distal esophagus, no ulcer, no stricture "
        "and no bleeding; biopsies show no intestinal metaplasia. Reflux esophagitis; high-dose "
        "proton pump inhibitor for eight weeks.",
        "ICD10",
        "K21.00",
        "gastroenterology",
        "Endoscopy confirms reflux disease with erosive esophagitis, so the K21.0- codes for "
        "GERD with esophagitis apply, not K21.9, which means reflux without esophagitis. No "
        "bleeding is documented, which selects K21.00 over K21.01.",
        "near_miss_code",
        "ICD10",
        "K21.9",
        "The patient has gastroesophageal reflux disease with heartburn and regurgitation, "
        "treated with a proton pump inhibitor. There is no bleeding, ulcer or stricture, so the "
        "uncomplicated reflux code is used.",
    ),
    Pair(
        "63 yo man with hypertension diagnosed several years ago, on amlodipine 10 mg. Blood "
        "pressure 152/94 in the office today after he ran out of tablets a week ago; home "
        "readings were in the 120s while on treatment. No chest pain or edema, normal kidney "
        "function, no heart or kidney disease. Refilled amlodipine.",
        "ICD10",
        "I10",
        "general medicine",
        "The provider documents an established diagnosis of hypertension under treatment, so a "
        "hypertension code applies; today's high reading reflects missed doses, not a new "
        "finding. There is no heart disease or chronic kidney disease to require the I11 or I12 "
        "combination codes, which leaves essential hypertension, I10.",
        "symptom_instead_of_diagnosis",
        "ICD10",
        "R03.0",
        "The blood pressure reading today is elevated at 152/94 mmHg. An elevated reading "
        "recorded at the visit is coded with the elevated blood pressure code.",
    ),
    Pair(
        "26 yo whose asthma wakes her two or three nights a week and needs albuterol daily "
        "despite a medium-dose inhaled steroid with a long-acting bronchodilator; her "
        "pulmonologist classifies it as moderate persistent. Two days of worse wheeze and chest "
        "tightness after a cold, peak flow 55% of her best. Nebulized albuterol and a five-day "
        "prednisone burst for an acute exacerbation.",
        "ICD10",
        "J45.41",
        "pulmonology",
        "The severity is documented as moderate persistent, and this visit is for an acute "
        "exacerbation with reduced peak flow that needs systemic steroids. ICD-10-CM combines "
        "both in J45.41, moderate persistent asthma with acute exacerbation. There is no status "
        "asthmaticus, so J45.42 does not apply, and J45.909 would discard severity and "
        "exacerbation.",
        "wrong_specificity",
        "ICD10",
        "J45.909",
        "The patient has asthma and is treated with albuterol and prednisone. Asthma is the "
        "documented diagnosis, so the asthma code is assigned.",
    ),
    Pair(
        "45 yo man in his third episode of depression: two earlier episodes in his thirties were "
        "treated, with full remission between them. For two months, low mood, loss of interest, "
        "early waking, poor appetite and guilt; still working, with effort. PHQ-9 score 15. No "
        "psychotic features or suicidal intent. Major depressive disorder, moderate; restarting "
        "sertraline.",
        "ICD10",
        "F33.1",
        "psychiatry",
        "Prior depressive episodes with remission in between make this a recurrent major "
        "depressive disorder, coded in F33.-, not the single-episode category F32.-. Severity is "
        "documented as moderate without psychotic features, giving F33.1.",
        "near_miss_code",
        "ICD10",
        "F32.1",
        "The patient meets criteria for a major depressive episode of moderate severity, with "
        "a PHQ-9 of 15 and no psychotic features. Moderate major depressive disorder is coded.",
    ),
    Pair(
        "34 yo with headaches on 18 days a month for the past six months, at least ten of them "
        "throbbing, with nausea and light sensitivity like her migraines. No aura. Attacks "
        "respond partly to triptans and have never lasted more than 72 hours. Neurologic exam "
        "normal. Chronic migraine without aura; starting a preventive medication.",
        "ICD10",
        "G43.709",
        "neurology",
        "Headache on 15 or more days a month for more than three months with migrainous "
        "features is chronic migraine, and the provider documents that diagnosis without aura. "
        "The migraine is not described as intractable and no attack lasted over 72 hours, so "
        "the code is G43.709. A symptom code such as R51.9 is not used once a definitive "
        "diagnosis is made.",
        "symptom_instead_of_diagnosis",
        "ICD10",
        "R51.9",
        "The patient presents with frequent headaches on most days of the month. Headache is "
        "the presenting complaint, so the headache code is assigned.",
    ),
    Pair(
        "17 yo with open and closed comedones, inflammatory papules and a few pustules on the "
        "forehead, cheeks and upper back for two years. No nodules, cysts or scarring, and no "
        "medication known to cause acne. Acne vulgaris, moderate; topical adapalene with benzoyl "
        "peroxide and oral doxycycline for three months.",
        "ICD10",
        "L70.0",
        "dermatology",
        "Comedones with inflammatory papules and pustules on the face and back are common acne, "
        "documented as acne vulgaris. ICD-10-CM has a specific code for it, L70.0, so the "
        "unspecified acne code is not needed. There are no interconnected cysts or abscesses "
        "that would suggest acne conglobata (L70.1).",
        "missing_reasoning",
        "ICD10",
        "L70.9",
    ),
    Pair(
        "G3P2 at 32 weeks with gestational diabetes diagnosed at 25 weeks. Despite diet changes, "
        "fasting glucose readings stayed above 105 mg/dL, so bedtime NPH insulin was started two "
        "weeks ago; readings are now at target. No diabetes before this pregnancy. Growth scan "
        "shows the fetus at the 60th percentile.",
        "ICD10",
        "O24.414",
        "obstetrics/gynecology",
        "Diabetes first diagnosed in pregnancy, with none before it, is gestational diabetes, "
        "O24.4-. The sixth character records how it is controlled: diet alone failed and the "
        "patient now takes insulin, so the code is O24.414, insulin controlled. O24.410 is only "
        "for diet-controlled disease.",
        "near_miss_code",
        "ICD10",
        "O24.410",
        "The patient has gestational diabetes and has been following a diabetic diet. "
        "Gestational diabetes managed with diet is coded as diet controlled.",
    ),
    Pair(
        "7 yo fell from the monkey bars onto an outstretched left hand. Tender over the distal "
        "left forearm, no deformity, skin intact. X-rays show a buckle fracture of the distal "
        "left radius metaphysis with the ulna intact; the right arm was not injured. Removable "
        "wrist splint applied at this first visit.",
        "ICD10",
        "S52.522A",
        "orthopedics",
        "A buckle fracture is a torus fracture, coded for the lower end of the radius in "
        "S52.52-. The injured side is the left, so the sixth character is 2, and this is the "
        "first visit for a closed fracture, so the seventh character is A: S52.522A.",
        "near_miss_code",
        "ICD10",
        "S52.521A",
        "X-rays show a torus fracture of the distal radius with intact skin at the initial "
        "visit. The torus fracture of the lower end of the radius, initial encounter for closed "
        "fracture, is coded.",
    ),
    Pair(
        "62 yo with iron deficiency and a change in bowel habit. Colonoscopy found a friable, "
        "partially obstructing mass in the sigmoid colon 25 cm from the anal verge; biopsy shows "
        "adenocarcinoma. CT of the chest, abdomen and pelvis without metastases. Referred for "
        "sigmoid colectomy.",
        "ICD10",
        "C18.7",
        "oncology",
        "Biopsy confirms a primary adenocarcinoma of the colon, coded in C18.-. The documented "
        "site is the sigmoid colon, which has its own fourth character, C18.7, so the "
        "unspecified colon code C18.9 is not appropriate. Staging found no metastases, so no "
        "secondary neoplasm code is needed.",
        "wrong_specificity",
        "ICD10",
        "C18.9",
        "The biopsy shows colon adenocarcinoma with no metastases on CT. The malignant neoplasm "
        "of the colon is coded.",
    ),
    Pair(
        "31 yo with palpitations, heat intolerance, tremor and 6 kg weight loss. Diffusely "
        "enlarged, non-tender thyroid with a bruit and mild proptosis. TSH suppressed, free T4 "
        "high, TSH receptor antibodies positive. Assessment: diffuse toxic goiter; methimazole and a beta-"
        "blocker started. No fever, confusion or other sign of thyroid storm.",
        "ICD10",
        "E05.00",
        "endocrinology",
        "The diffuse goiter, positive TSH receptor antibodies and eye signs document "
        "thyrotoxicosis due to diffuse toxic goiter, which is E05.0-. There is no fever, "
        "delirium or other sign of thyrotoxic crisis, so the fifth character is 0: E05.00. "
        "E05.90 would ignore the documented cause.",
        "wrong_specificity",
        "ICD10",
        "E05.90",
        "A suppressed TSH with a high free T4 confirms hyperthyroidism, and there are no signs "
        "of thyroid storm. Thyrotoxicosis without crisis is coded.",
    ),
    Pair(
        "58 yo with spells of rapid, irregular palpitations lasting a few hours that stop on "
        "their own, two or three times a month. A 14-day patch monitor captured atrial "
        "fibrillation episodes of up to nine hours, each ending spontaneously; today's ECG shows "
        "sinus rhythm. CHA2DS2-VASc score 1. Rhythm-control strategy discussed and flecainide "
        "started.",
        "ICD10",
        "I48.0",
        "cardiology",
        "Atrial fibrillation that starts and stops on its own within seven days, with sinus "
        "rhythm between episodes, is paroxysmal. The monitor documents self-terminating "
        "episodes, so the type is known and I48.0 is more specific than unspecified atrial "
        "fibrillation, I48.91.",
        "wrong_specificity",
        "ICD10",
        "I48.91",
        "The patch monitor captured atrial fibrillation, confirming the diagnosis. Atrial "
        "fibrillation is coded.",
    ),
    Pair(
        "29 yo woman with a day of painful urination, suprapubic pain and frequency; no fever, "
        "flank pain or visible blood in the urine. Urinalysis shows pyuria and nitrites with no "
        "red cells. Assessment: acute cystitis without hematuria. Three days of trimethoprim-"
        "sulfamethoxazole.",
        "ICD10",
        "N30.00",
        "general medicine",
        "The provider names the bladder as the site of infection (acute cystitis), so the "
        "N30.0- codes take priority over N39.0, urinary tract infection with site not "
        "specified. Hematuria is absent on history and urinalysis, which selects N30.00.",
        "wrong_specificity",
        "ICD10",
        "N39.0",
        "Dysuria, frequency, pyuria and nitrites are consistent with a urinary tract infection. "
        "It is uncomplicated and treated with oral antibiotics, so the urinary tract infection "
        "code is assigned.",
    ),
    Pair(
        "40 yo with twelve days of nasal congestion and thick discolored discharge after a cold, "
        "with pain and pressure over the left cheek that worsen when bending forward, and an "
        "ache in the upper teeth. Tender over the left maxillary sinus, no orbital swelling. "
        "First episode this year. Acute maxillary sinusitis; amoxicillin-clavulanate and saline "
        "irrigation.",
        "ICD10",
        "J01.00",
        "general medicine",
        "Symptoms lasting more than ten days after a cold, with cheek pain and maxillary "
        "tenderness, document acute sinusitis of the maxillary sinus. It is not described as "
        "recurrent, so J01.00 applies rather than J01.01. Because the sinus is named, the "
        "unspecified-sinus code J01.90 is less specific than the documentation supports.",
        "missing_reasoning",
        "ICD10",
        "J01.90",
    ),
    Pair(
        "38 yo with heavy menstrual bleeding from uterine fibroids and increasing fatigue; "
        "hemoglobin 8.4 g/dL, MCV 68 fL, ferritin 4 ng/mL. The gynecologist documents iron "
        "deficiency anemia due to chronic blood loss from heavy menses. Oral iron was not "
        "tolerated; intravenous iron will be scheduled at the infusion center next week.",
        "ICD10",
        "D50.0",
        "obstetrics/gynecology",
        "Nothing was administered or performed at this visit, since IV iron is only planned, so "
        "the encounter is described by its diagnosis. Microcytic anemia with depleted iron "
        "stores that the provider attributes to chronic menstrual blood loss is D50.0, iron "
        "deficiency anemia secondary to chronic blood loss, rather than D50.9.",
        "wrong_code_type",
        "HCPCS",
        "J1756",
        "The plan is intravenous iron for iron deficiency anemia. Iron sucrose is the iron "
        "product commonly given by infusion, so the HCPCS drug code for iron sucrose is "
        "assigned.",
    ),
    # ---- CPT (15) ----
    Pair(
        "Established patient, 61 yo with COPD, seen for a month of worsening breathlessness on "
        "stairs and rescue inhaler use every day instead of twice a week. No fever or sputum "
        "change. Reviewed last year's spirometry and today's oximetry, added a long-acting "
        "muscarinic antagonist to her inhaled regimen and referred her to pulmonary "
        "rehabilitation. Total time 25 minutes; moderate-complexity decision making documented.",
        "CPT",
        "99214",
        "general medicine",
        "This is an office visit for an established patient, so the 99211-99215 codes apply. "
        "A chronic illness with a mild exacerbation is a moderate problem, and adding a "
        "prescription inhaler is prescription drug management, a moderate risk; together they "
        "support moderate medical decision making. The level may be chosen by decision making "
        "or by time, and decision making supports 99214 even though 25 minutes alone would "
        "only support 99213.",
        "near_miss_code",
        "CPT",
        "99213",
        "This is an established patient follow-up for a chronic lung condition with 25 "
        "minutes of total time. A total time of 20 to 29 minutes corresponds to a "
        "low-complexity established patient visit.",
    ),
    Pair(
        "56 yo man new to the practice, never seen by any clinician in this group, with three "
        "months of painful swelling in the small joints of both hands and an hour of morning "
        "stiffness. Ordered rheumatoid factor, anti-CCP antibodies, inflammatory markers and "
        "hand X-rays, and started low-dose prednisone while results are pending. Medical "
        "decision making of moderate complexity; 48 minutes on the date of the visit.",
        "CPT",
        "99204",
        "rheumatology",
        "The patient has not received professional services from this group in the past three "
        "years, so the new-patient codes 99202-99205 apply, not the established-patient codes. "
        "An undiagnosed new problem with uncertain prognosis, several tests ordered and a new "
        "prescription support moderate decision making, and 48 minutes also fits level 4: "
        "99204.",
        "near_miss_code",
        "CPT",
        "99214",
        "The documentation supports moderate medical decision making and 48 minutes of total "
        "time for an office visit. A moderate-complexity office visit is coded at level 4.",
    ),
    Pair(
        "Screening colonoscopy to the cecum in a 56 yo with good bowel preparation. A 12 mm "
        "sessile polyp in the transverse colon was removed with a cold snare and retrieved; two "
        "tiny rectal polyps that looked hyperplastic were left in place. No biopsies were taken. "
        "Specimen sent to pathology; surveillance interval pending results.",
        "CPT",
        "45385",
        "gastroenterology",
        "A polyp removed with a snare during colonoscopy is reported with 45385, colonoscopy "
        "with removal of lesions by snare technique. No biopsies were taken, so 45380 does not "
        "apply, and hot biopsy forceps (45384) were not the technique used. The screening "
        "intent is shown with a modifier, not with a different CPT code.",
        "near_miss_code",
        "CPT",
        "45380",
        "A polyp was removed during the colonoscopy and sent to pathology for a tissue "
        "diagnosis. Because tissue was obtained for pathology, the colonoscopy with biopsy code "
        "applies.",
    ),
    Pair(
        "Upper endoscopy in a 35 yo with solid-food dysphagia and two food impactions, history "
        "of asthma and seasonal allergies. Esophagus shows concentric rings and linear furrows; "
        "six cold forceps biopsies taken from the proximal and distal esophagus to look for "
        "eosinophilic esophagitis. Stomach and duodenum normal. No dilation performed.",
        "CPT",
        "43239",
        "gastroenterology",
        "An esophagogastroduodenoscopy was performed and tissue was sampled with forceps. CPT "
        "43239 covers EGD with biopsy, single or multiple, so biopsies from several levels are "
        "still reported once. The diagnostic-only code 43235 does not apply because biopsies "
        "were taken, and no dilation code is needed.",
        "missing_reasoning",
        "CPT",
        "43235",
    ),
    Pair(
        "66 yo with three months of exertional breathlessness and ankle swelling. Complete "
        "transthoracic echocardiogram: two-dimensional and M-mode imaging with spectral and "
        "color flow Doppler. Left ventricular ejection fraction 40% with global hypokinesis, "
        "moderate mitral regurgitation, estimated pulmonary pressure mildly raised. Read and "
        "reported by the cardiologist.",
        "CPT",
        "93306",
        "cardiology",
        "The narrative describes the study performed: a complete transthoracic echocardiogram "
        "with spectral and color flow Doppler, which is CPT 93306. The breathlessness is the "
        "reason for the test and belongs on the claim as a diagnosis, but the service itself "
        "needs a procedure code. Without Doppler it would be 93307, and a limited study 93308.",
        "wrong_code_type",
        "ICD10",
        "R06.00",
        "The echocardiogram was ordered to evaluate breathlessness and ankle swelling. "
        "Dyspnea is the presenting clinical problem, so the dyspnea code is assigned.",
    ),
    Pair(
        "Preoperative chest imaging for a 68 yo former smoker scheduled for hip replacement. "
        "Frontal and lateral chest radiographs obtained in the radiology department: mild "
        "hyperinflation, no consolidation or mass, normal heart size. Cleared from an imaging "
        "standpoint.",
        "CPT",
        "71046",
        "radiology",
        "The service is a chest X-ray, and CPT codes chest radiographs by the number of views. "
        "Frontal plus lateral is two views, which is 71046. A single portable view would be "
        "71045, and three views 71047.",
        "near_miss_code",
        "CPT",
        "71045",
        "A preoperative chest radiograph was obtained and showed no acute disease. A routine "
        "chest X-ray is reported with the single-view code.",
    ),
    Pair(
        "Left knee arthroscopy in a 27 yo soccer player with catching and lateral joint line "
        "pain after a pivoting injury. Findings: radial tear of the lateral meniscus, intact "
        "cruciate ligaments, normal medial meniscus. Partial lateral meniscectomy to a stable "
        "rim; no other procedure. Portals closed, to recovery in good condition.",
        "CPT",
        "29881",
        "orthopedics",
        "The narrative is an operative note: knee arthroscopy with partial meniscectomy of one "
        "meniscus, the lateral. CPT 29881 covers arthroscopic meniscectomy of the medial or "
        "lateral meniscus, while 29880 requires both. The tear is the diagnosis that supports "
        "medical necessity, not the code for the procedure performed.",
        "wrong_code_type",
        "ICD10",
        "S83.282A",
        "The patient has a tear of the lateral meniscus of the left knee from a pivoting "
        "injury, treated for the first time. The meniscal tear is coded with left laterality "
        "and an initial-encounter seventh character.",
    ),
    Pair(
        "Adhesive capsulitis of the left shoulder with painful, restricted rotation for four "
        "months in a 54 yo with diabetes. The glenohumeral joint was injected through a "
        "posterior approach located by surface landmarks, with triamcinolone 40 mg and "
        "lidocaine. No ultrasound or fluoroscopy was used. Home stretching program reviewed.",
        "CPT",
        "20610",
        "rheumatology",
        "The shoulder is a major joint, and injecting it is reported with the major joint "
        "arthrocentesis codes. The note states that landmarks were used without imaging "
        "guidance, which selects 20610 rather than 20611 (ultrasound guidance with a recorded "
        "image). The drug supplied would be reported separately with a HCPCS code.",
        "near_miss_code",
        "CPT",
        "20611",
        "The glenohumeral joint, a major joint, was injected with the needle placed precisely "
        "into the joint space. Major joint injection with guidance is reported.",
    ),
    Pair(
        "9 yo with brief staring spells many times a day noticed by teachers. Sleep-deprived "
        "routine EEG of 35 minutes: generalized 3 Hz spike-and-wave discharges provoked by "
        "hyperventilation, recorded during wakefulness and again during light sleep. "
        "Interpretation by the child neurologist supports childhood absence epilepsy.",
        "CPT",
        "95819",
        "neurology",
        "A routine EEG is coded by the states recorded: 95816 is awake and drowsy, 95819 is "
        "awake and asleep. The report documents recording during light sleep as well as "
        "wakefulness, so 95819 applies. It is a standard recording under an hour, not "
        "long-term monitoring.",
        "near_miss_code",
        "CPT",
        "95816",
        "A routine 35-minute EEG with hyperventilation was recorded and interpreted, showing "
        "spike-and-wave discharges. A standard awake EEG is reported.",
    ),
    Pair(
        "Individual psychotherapy for a 40 yo with an adjustment disorder with anxious mood "
        "after a job loss: problem-solving therapy and coping skills, with the patient alone. "
        "Documented start and stop times give 41 minutes of face-to-face psychotherapy. No "
        "medication management or evaluation and management service at this session.",
        "CPT",
        "90834",
        "psychiatry",
        "This is individual psychotherapy without an evaluation and management service, so the "
        "standalone codes 90832, 90834 and 90837 apply. CPT time ranges are 16 to 37 minutes "
        "for 90832, 38 to 52 minutes for 90834 and 53 minutes or more for 90837. At 41 "
        "minutes, the correct code is 90834.",
        "near_miss_code",
        "CPT",
        "90832",
        "The session lasted 41 minutes, which is less than the full 45 minutes of the longer "
        "code. A session shorter than 45 minutes is reported with the 30-minute "
        "psychotherapy code.",
    ),
    Pair(
        "Six common warts on the fingers of both hands in a 15 yo, present for a year despite "
        "over-the-counter salicylic acid. Each wart treated with liquid nitrogen cryotherapy, two "
        "freeze-thaw cycles. No premalignant or malignant lesions. Home care reviewed.",
        "CPT",
        "17110",
        "dermatology",
        "Common warts are benign lesions, and liquid nitrogen cryotherapy destroys them. CPT "
        "17110 covers destruction of up to 14 benign lesions other than skin tags, so all six "
        "warts are reported with one unit. The 17000 series is for premalignant lesions such as "
        "actinic keratoses, which are not present.",
        "near_miss_code",
        "CPT",
        "17000",
        "Cryotherapy destroyed skin lesions on the hands. Destruction of the first lesion is "
        "reported with the lesion destruction code, with add-on units for the others.",
    ),
    Pair(
        "G2P1 at 30 weeks with chronic hypertension, sent for a growth scan. Transabdominal "
        "obstetric ultrasound, single fetus: biometry, amniotic fluid index, placental location, "
        "fetal presentation and a repeat survey of fetal anatomy. Estimated fetal weight at the "
        "30th percentile. No detailed anatomic evaluation or Doppler studies.",
        "CPT",
        "76805",
        "obstetrics/gynecology",
        "This is a transabdominal ultrasound of a single fetus at 30 weeks, after the first "
        "trimester. The standard study with biometry, fluid, placenta and an anatomy survey is "
        "76805. The first-trimester code 76801 applies only before 14 weeks, and neither a "
        "detailed anatomic study (76811) nor Doppler was done.",
        "near_miss_code",
        "CPT",
        "76801",
        "A complete transabdominal obstetric ultrasound with biometry and an anatomy survey of "
        "one fetus was performed. The complete obstetric ultrasound code for a single fetus is "
        "assigned.",
    ),
    Pair(
        "69 yo with glare and halos from a cortical cataract in the left eye that interferes "
        "with night driving. Left eye surgery: phacoemulsification through a temporal clear "
        "corneal incision and a one-piece acrylic intraocular lens placed in the capsular bag. "
        "Routine case with no pupil expansion device, dye or capsular tension ring.",
        "CPT",
        "66984",
        "ophthalmology",
        "The narrative documents a surgical procedure: cataract removal by phacoemulsification "
        "with intraocular lens insertion, CPT 66984. The note explicitly says no devices or "
        "complex techniques were needed, so the complex cataract code 66982 is not supported. "
        "The cataract diagnosis explains why surgery was done but does not describe the service.",
        "wrong_code_type",
        "ICD10",
        "H25.012",
        "The patient has an age-related cortical cataract of the left eye that affects night "
        "driving. The cataract is the condition being treated, so it is coded with left-eye "
        "laterality.",
    ),
    Pair(
        "60 yo smoker with a chronic productive cough, referred to stage suspected COPD. "
        "Spirometry with flow-volume loops at baseline and again 15 minutes after albuterol "
        "by spacer. Post-bronchodilator FEV1/FVC 0.62 with FEV1 65% of predicted and only a "
        "5% improvement, consistent with fixed airflow obstruction.",
        "CPT",
        "94060",
        "pulmonology",
        "Spirometry was measured before and after a bronchodilator, which CPT reports with "
        "94060. Plain spirometry, 94010, is a single set of measurements without bronchodilator "
        "response testing. The post-bronchodilator values confirm the second measurement was "
        "done, even though the response was small.",
        "near_miss_code",
        "CPT",
        "94010",
        "Spirometry with flow-volume loops showed airflow obstruction that did not reverse "
        "significantly. Spirometry with a graphic record is reported.",
    ),
    Pair(
        "Yearly screening mammogram for a 64 yo with dense breasts and a benign biopsy more "
        "than ten years ago; no lump, pain, skin change or nipple discharge now. Bilateral "
        "digital mammography, standard two views per breast, with computer-aided detection. "
        "BI-RADS 2, benign calcifications unchanged.",
        "CPT",
        "77067",
        "radiology",
        "The patient has no current symptoms or new findings, so this is screening, not "
        "diagnostic, mammography; a remote benign biopsy does not make it diagnostic. "
        "Bilateral screening mammography with computer-aided detection is 77067. The "
        "diagnostic codes 77065 and 77066 are for evaluating a symptom or an abnormal finding.",
        "missing_reasoning",
        "CPT",
        "77066",
    ),
    # ---- HCPCS Level II (15) ----
    Pair(
        "Seasonal vaccine clinic in a nursing facility: an 84 yo resident covered by Medicare "
        "Part B receives an inactivated influenza vaccine intramuscularly from the visiting "
        "nurse. The vaccine product is reported on its own line; this line is for giving the "
        "shot.",
        "HCPCS",
        "G0008",
        "geriatrics",
        "Medicare requires HCPCS G0008 for administering an influenza vaccine, while most other "
        "payers use the CPT administration code 90471. The resident is covered by Medicare and "
        "the vaccine product is reported separately, so the service to code is the "
        "administration: G0008.",
        "wrong_code_type",
        "CPT",
        "90471",
        "The nurse gave one vaccine by intramuscular injection and the vaccine itself is "
        "reported separately. One injected vaccine administration is coded with the CPT "
        "immunization administration code.",
    ),
    Pair(
        "Right shoulder subacromial bursa injection for impingement in a 57 yo. Drug supplied "
        "from clinic stock: methylprednisolone acetate 40 mg mixed with 1% lidocaine. The "
        "injection procedure is reported separately; this line is for the steroid supplied.",
        "HCPCS",
        "J1030",
        "orthopedics",
        "The supply to code is methylprednisolone acetate, which HCPCS reports by dose: J1020 "
        "for 20 mg, J1030 for 40 mg and J1040 for 80 mg. Exactly 40 mg was given, so J1030 with "
        "one unit is correct. The lidocaine is not reported separately.",
        "near_miss_code",
        "HCPCS",
        "J1040",
        "Methylprednisolone acetate was injected into the shoulder bursa. The methylprednisolone "
        "acetate code is assigned, using the 80 mg code as the standard depot dose.",
    ),
    Pair(
        "Supplier delivery note: a fixed-pressure continuous positive airway pressure device "
        "was set up at home for a 41 yo awaiting bariatric surgery, with severe obstructive "
        "sleep apnea (AHI 48 on an in-lab study). Pressure 12 cm H2O per the titration order; "
        "taught use and cleaning.",
        "HCPCS",
        "E0601",
        "DME/supplies",
        "The narrative is a supplier's delivery of durable medical equipment, which is coded "
        "with HCPCS Level II. A single fixed-pressure CPAP device is E0601; a bilevel device "
        "would be E0470 or E0471. The sleep apnea diagnosis supports coverage but is not the "
        "code for the item delivered.",
        "wrong_code_type",
        "ICD10",
        "G47.33",
        "The patient has severe obstructive sleep apnea with an AHI of 48, which is why CPAP "
        "was prescribed. The sleep apnea diagnosis is coded.",
    ),
    Pair(
        "72 yo with diabetic peripheral neuropathy and two falls this winter, unsteady with a "
        "cane. Needs a walker she can fold into the car. Dispensed a folding walker with two "
        "front wheels, height adjusted in clinic; standard frame, weight 80 kg.",
        "HCPCS",
        "E0143",
        "DME/supplies",
        "The item supplied is a walker that folds and has wheels, which is E0143. E0135 is a "
        "folding walker without wheels and E0141 a rigid wheeled walker. At 80 kg she does not "
        "need a heavy-duty model (E0149).",
        "near_miss_code",
        "HCPCS",
        "E0135",
        "A folding walker adjusted to the patient's height was dispensed for home and car use. "
        "The folding, adjustable walker code applies.",
    ),
    Pair(
        "68 yo with multiple sclerosis and weak arms cannot propel a standard-weight manual "
        "wheelchair around her home but can propel a lighter one, as shown in a seating "
        "evaluation by the therapist. A lightweight manual wheelchair was prescribed and "
        "delivered for daily use.",
        "HCPCS",
        "K0003",
        "physical medicine and rehabilitation",
        "The device is a manual wheelchair. The seating evaluation documents that she cannot "
        "self-propel a standard wheelchair but can propel a lightweight one, which is what "
        "K0003 requires. K0001 is the standard wheelchair and K0004 the high-strength "
        "lightweight model; neither matches.",
        "missing_reasoning",
        "HCPCS",
        "K0001",
    ),
    Pair(
        "38 yo runner with a small stable avulsion fracture at the tip of the distal fibula "
        "after an ankle inversion. Fitted with a prefabricated walking boot with inflatable "
        "air cells, taken off the shelf and applied without custom fitting; weight bearing as "
        "tolerated for four weeks.",
        "HCPCS",
        "L4361",
        "sports medicine",
        "The item is a prefabricated walking boot. Its inflatable air cells make it a pneumatic "
        "boot, and it was applied off the shelf with no custom fitting, which makes it L4361. "
        "L4387 is a non-pneumatic boot and L4360 the custom-fitted pneumatic version.",
        "near_miss_code",
        "HCPCS",
        "L4387",
        "A prefabricated walking boot was supplied off the shelf for an ankle fracture. The "
        "off-the-shelf prefabricated walking boot code applies.",
    ),
    Pair(
        "8 yo with type 1 diabetes on an insulin pen regimen, checking fingerstick glucose six "
        "times a day with the meter the family already owns. Monthly refill dispensed: four "
        "boxes of 50 blood glucose test strips for the home monitor. The meter was not replaced.",
        "HCPCS",
        "A4253",
        "pediatrics",
        "The supply dispensed is test strips for a home glucose monitor, which HCPCS reports as "
        "A4253 per 50 strips, so four boxes are four units. The meter itself (E0607) was not "
        "supplied, and lancets would be A4259.",
        "near_miss_code",
        "HCPCS",
        "E0607",
        "The child uses a home blood glucose monitor six times daily, and supplies for it were "
        "dispensed. The home blood glucose monitor code applies.",
    ),
    Pair(
        "81 yo man with Medicare, whose first annual wellness visit was two years ago and "
        "second last year. Today: health risk assessment updated, medication and supplier "
        "lists reviewed, hearing and cognitive screens, fall risk and advance directive "
        "discussion, and an updated written prevention plan. No problems addressed.",
        "HCPCS",
        "G0439",
        "general medicine",
        "An annual wellness visit with a personalized prevention plan is coded G0438 or G0439. "
        "He has already had an initial wellness visit, so this is a subsequent visit, G0439. "
        "G0438 is used once per lifetime, and the Welcome to Medicare exam is G0402.",
        "near_miss_code",
        "HCPCS",
        "G0438",
        "This is a Medicare annual wellness visit with a health risk assessment, screens and a "
        "written personalized prevention plan. The annual wellness visit with personalized "
        "prevention plan code is assigned.",
    ),
    Pair(
        "Medicare patient, 67 yo, for screening colonoscopy. No symptoms, no personal history "
        "of polyps, cancer or inflammatory bowel disease; a grandfather had colon cancer in his "
        "eighties, and no parent, sibling or child has had it. Complete exam to the cecum, no "
        "polyps, no biopsies.",
        "HCPCS",
        "G0121",
        "gastroenterology",
        "Medicare screening colonoscopy is reported with a G code. High risk requires a close "
        "relative (parent, sibling or child) with colorectal cancer or polyps, or a personal "
        "history; a grandparent does not qualify, so G0121 (not high risk) applies rather than "
        "G0105. No biopsy or polypectomy changed the screening into a therapeutic procedure.",
        "near_miss_code",
        "HCPCS",
        "G0105",
        "A screening colonoscopy was done for a Medicare patient with a family history of "
        "colon cancer. A family history of colorectal cancer makes this a high-risk screening "
        "colonoscopy.",
    ),
    Pair(
        "Vitamin B12 deficiency four years after gastric bypass surgery in a 46 yo, with low "
        "serum B12, tingling in the feet and a normal hemoglobin. Cyanocobalamin 1000 mcg given "
        "intramuscularly today as part of a weekly loading series, from clinic stock.",
        "HCPCS",
        "J3420",
        "general medicine",
        "The narrative describes a drug supplied and injected, and drugs are coded with HCPCS "
        "Level II. Cyanocobalamin up to 1000 mcg is J3420, one unit for this dose. The "
        "deficiency explains the need for the injection but is a diagnosis, not the item "
        "supplied.",
        "wrong_code_type",
        "ICD10",
        "E53.8",
        "The patient has vitamin B12 deficiency after gastric bypass, which is why injections "
        "are given. The deficiency of other specified B group vitamins is coded.",
    ),
    Pair(
        "19 yo with two days of vomiting and diarrhea, dry mucous membranes and dizziness on "
        "standing. One liter of normal saline infused intravenously over an hour in the "
        "emergency department with improvement; tolerating oral fluids afterwards.",
        "HCPCS",
        "J7030",
        "emergency medicine",
        "The fluid supplied is normal saline, and HCPCS saline codes are defined by volume. One "
        "liter is 1000 cc, J7030 with one unit; J7050 is the 250 cc code. The infusion service "
        "itself is a separate CPT code.",
        "near_miss_code",
        "HCPCS",
        "J7050",
        "Normal saline was infused intravenously for dehydration. The normal saline infusion "
        "code is reported, with a unit for each 250 cc.",
    ),
    Pair(
        "911 call for a 70 yo who fell at home and has hip pain. A crew of two emergency medical "
        "technicians provided basic life support: vital signs, splinting and oxygen by nasal "
        "cannula. No IV line, cardiac monitoring or advanced airway. Emergency transport to the "
        "nearest hospital.",
        "HCPCS",
        "A0429",
        "emergency medicine",
        "This is an emergency ground ambulance transport with only basic life support "
        "interventions by EMTs. No advanced assessment or ALS intervention such as IV access, "
        "cardiac monitoring or medications took place, so the level is BLS emergency, A0429, "
        "not ALS1 emergency, A0427. Mileage is reported separately.",
        "near_miss_code",
        "HCPCS",
        "A0427",
        "The patient was transported emergently after a 911 call and given oxygen en route. An "
        "emergency response with oxygen therapy qualifies for the advanced life support "
        "emergency level.",
    ),
    Pair(
        "Recurrent platinum-sensitive ovarian cancer in a 59 yo: cycle 2 of single-agent "
        "carboplatin, 450 mg (AUC 5) infused intravenously over 30 minutes after standard "
        "premedication. Prepared by the infusion pharmacy from single-dose vials; no waste "
        "documented.",
        "HCPCS",
        "J9045",
        "oncology",
        "The drug supplied is carboplatin, which HCPCS reports as J9045 per 50 mg, so a 450 mg "
        "dose is nine units. Cisplatin (J9060) is a different platinum agent and was not given.",
        "missing_reasoning",
        "HCPCS",
        "J9060",
    ),
    Pair(
        "Before chemotherapy for lung cancer, a 64 yo received ondansetron 8 mg by intravenous "
        "push as antiemetic premedication; no other antiemetic was given. Infusion then "
        "proceeded without nausea.",
        "HCPCS",
        "J2405",
        "oncology",
        "Ondansetron was given intravenously, which is J2405, injection of ondansetron per "
        "1 mg, so 8 mg is eight units. Q0162 is oral ondansetron used as a full replacement for "
        "an IV antiemetic, and this dose was not oral.",
        "near_miss_code",
        "HCPCS",
        "Q0162",
        "Ondansetron was given as an antiemetic with chemotherapy. Ondansetron given with "
        "chemotherapy is reported with the chemotherapy antiemetic code.",
    ),
    Pair(
        "Sleep medicine follow-up: 63 yo with obstructive sleep apnea and obesity "
        "hypoventilation who could not tolerate CPAP despite mask changes and trials at several "
        "pressures. A bilevel positive airway pressure device without a backup rate was "
        "prescribed and delivered, set at IPAP 16 and EPAP 10 cm H2O.",
        "HCPCS",
        "E0470",
        "pulmonology",
        "The equipment is a bilevel respiratory assist device, not a single-pressure CPAP. "
        "Without a backup rate it is E0470; with a backup rate it would be E0471. CPAP (E0601) "
        "was tried and failed, which is the documentation that supports the bilevel device.",
        "near_miss_code",
        "HCPCS",
        "E0601",
        "The patient has obstructive sleep apnea and was prescribed positive airway pressure "
        "therapy after a trial of CPAP. Positive airway pressure therapy for sleep apnea is "
        "coded as a CPAP device.",
    ),
]

# --------------------------------------------------------------------------------------------
# Held-out test set (stage-1 format). Narratives are new; about 60 % of the codes also occur in
# the training files (see metadata.code_in_training), the others never do.
# --------------------------------------------------------------------------------------------
TEST_CASES: list[Case] = [
    # ---- ICD-10-CM (30) ----
    Case(
        "Annual diabetes review for a 47 yo woman with type 2 diabetes diagnosed two years ago, "
        "managed with diet and metformin 500 mg twice daily. A1c 6.5%. Retinal photographs "
        "normal, foot sensation and pulses normal, urine microalbumin negative, eGFR 95. No "
        "numbness, vision change or foot sores. Uncomplicated diabetes; same plan.",
        "ICD10",
        "E11.9",
        "endocrinology",
    ),
    Case(
        "Type 2 diabetes on metformin and glipizide in a 60 yo whose meter log shows fasting "
        "values of 180 to 240 mg/dL over the past month after holiday eating; A1c 9.1%, up "
        "from 7.2%. Kidney function, eye exam and foot exam without diabetic complications. "
        "Adding basal insulin at 10 units with a titration schedule.",
        "ICD10",
        "E11.65",
        "general medicine",
    ),
    Case(
        "81 yo woman on levothyroxine for many years for an underactive thyroid; never had "
        "thyroid surgery or radioiodine and no known cause was ever recorded. TSH 7.8 with mild "
        "fatigue. Dose increased from 75 to 88 mcg, repeat TSH in eight weeks.",
        "ICD10",
        "E03.9",
        "endocrinology",
    ),
    Case(
        "New patient, 48 yo, with blood pressure of 158/98 and 154/96 at two visits and an "
        "average of 150/95 on a week of home readings. No diabetes; kidney function and urine "
        "normal, echocardiogram without ventricular hypertrophy, no heart failure. Assessment: "
        "primary hypertension. Started chlorthalidone and a low-sodium diet.",
        "ICD10",
        "I10",
        "cardiology",
    ),
    Case(
        "82 yo brought in with palpitations and lightheadedness. ECG: atrial fibrillation with "
        "rapid ventricular response at 132 and no P waves. No earlier rhythm records are "
        "available and the physician does not classify it as paroxysmal, persistent or "
        "permanent. Rate controlled with IV diltiazem; anticoagulation started.",
        "ICD10",
        "I48.91",
        "emergency medicine",
    ),
    Case(
        "Cardiology follow-up for a 59 yo woman with heart failure with reduced ejection "
        "fraction (EF 35%) diagnosed two years ago. Walks 30 minutes a day without symptoms, "
        "weight steady, no edema or orthopnea, on four guideline-directed drugs. Compensated "
        "chronic systolic heart failure; labs reviewed, no changes.",
        "ICD10",
        "I50.22",
        "cardiology",
    ),
    Case(
        "Emphysema-predominant COPD in a 68 yo woman on a triple inhaler. For a week she has "
        "needed her rescue inhaler every two hours, with more cough and thick sputum than her "
        "usual baseline. Temperature normal; chest film without infiltrate. Assessed as an "
        "acute exacerbation of COPD; five days of oral steroids.",
        "ICD10",
        "J44.1",
        "pulmonology",
    ),
    Case(
        "57 yo with two days of fever, chills, productive cough and breathlessness. SpO2 91%, "
        "crackles at the left base, and a left lower lobe infiltrate on chest radiograph. "
        "Respiratory viral panel negative, sputum culture not resulted, no organism identified. "
        "Treated for community-acquired pneumonia with oral antibiotics.",
        "ICD10",
        "J18.9",
        "emergency medicine",
    ),
    Case(
        "Home sleep apnea test for a 52 yo man with hypertension, loud snoring and apneas his "
        "partner has witnessed: apnea-hypopnea index 34 with an oxygen nadir of 79%, events "
        "obstructive. Diagnosis: severe obstructive sleep apnea; auto-titrating CPAP ordered.",
        "ICD10",
        "G47.33",
        "pulmonology",
    ),
    Case(
        "70 yo retired carpenter with years of aching in the right knee, stiffness after "
        "sitting and crepitus. Right knee in varus with medial joint line tenderness; the left "
        "knee is unremarkable. Standing radiographs: right medial compartment narrowing with "
        "osteophytes. Primary osteoarthritis of the right knee; injection discussed.",
        "ICD10",
        "M17.11",
        "orthopedics",
    ),
    Case(
        "77 yo man with three days of urinary frequency, urgency and foul-smelling urine, no "
        "catheter, no fever or flank pain, prostate not tender. Urinalysis with leukocytes and "
        "bacteria; culture sent. The provider documents a urinary tract infection without "
        "naming a site; oral antibiotics started.",
        "ICD10",
        "N39.0",
        "general medicine",
    ),
    Case(
        "Chronic dry cough, throat clearing and hoarseness for six months in a 55 yo, worse "
        "after late meals, with a sour taste in the mouth. Chest imaging and spirometry normal. "
        "Marked improvement on a proton pump inhibitor trial; no endoscopy done and no "
        "esophagitis documented. Diagnosis: gastroesophageal reflux disease.",
        "ICD10",
        "K21.9",
        "gastroenterology",
    ),
    Case(
        "Pounding one-sided headaches since her teens in a 22 yo, with nausea and sensitivity "
        "to noise, each lasting about half a day, five or six a month, and relieved by "
        "rizatriptan. No visual or sensory warning symptoms. Neurologic exam normal. Migraine "
        "without aura, not intractable, no status migrainosus.",
        "ICD10",
        "G43.009",
        "neurology",
    ),
    Case(
        "First-ever depressive episode in a 58 yo after retirement: two months of sadness, "
        "hopelessness, poor sleep, low appetite and loss of enjoyment. PHQ-9 score 17. No "
        "previous depression or mania, no psychosis, denies suicidal ideation. Major "
        "depressive disorder, single episode, moderate.",
        "ICD10",
        "F32.1",
        "psychiatry",
    ),
    Case(
        "Nurse, 29, who cannot switch off worrying about her family, patients and bills for "
        "over a year, with irritability, fatigue, neck tension and broken sleep. No panic "
        "attacks, trauma or substance use; thyroid tests normal. Generalized anxiety disorder; "
        "escitalopram and a therapy referral.",
        "ICD10",
        "F41.1",
        "psychiatry",
    ),
    Case(
        "80 yo who needs more light to read and sees halos around lights at night. Acuity "
        "20/40 in each eye. Slit lamp: moderate nuclear sclerotic cataract in both lenses, no "
        "cortical or posterior subcapsular component; fundus normal. Age-related nuclear "
        "cataract, both eyes; glasses updated for now.",
        "ICD10",
        "H25.13",
        "ophthalmology",
    ),
    Case(
        "Three days of runny nose, sneezing, scratchy throat and low-grade fever in a 26 yo "
        "teacher during a school outbreak of colds. Ears, sinuses and lungs normal, no "
        "tonsillar exudate. Viral upper respiratory infection; supportive care and return "
        "precautions.",
        "ICD10",
        "J06.9",
        "general medicine",
    ),
    Case(
        "G4P3 at 34 weeks with gestational diabetes found on the glucose tolerance test at 24 "
        "weeks. Managed with a carbohydrate-counted meal plan and walking after meals only; "
        "glucose logs at target, no insulin or metformin ever needed. No diabetes before "
        "pregnancy. Nonstress test reactive.",
        "ICD10",
        "O24.410",
        "obstetrics/gynecology",
    ),
    Case(
        "Type 2 diabetes for 12 years in a 64 yo man with burning and numbness of both feet in "
        "a stocking distribution. Absent ankle reflexes and reduced monofilament sensation on "
        "both sides; nerve conduction studies confirm a length-dependent sensory "
        "polyneuropathy attributed to his diabetes. Started duloxetine.",
        "ICD10",
        "E11.42",
        "endocrinology",
    ),
    Case(
        "Low back ache for two weeks in a 39 yo office worker with no injury, no pain below the "
        "buttocks, and no numbness, weakness or bladder symptoms. Paraspinal tenderness, normal "
        "neurologic exam, negative straight-leg raise. Diagnosis: low back pain; heat, "
        "stretching and ibuprofen.",
        "ICD10",
        "M54.50",
        "general medicine",
    ),
    Case(
        "Redness of the left shin for two days in a 72 yo with venous stasis changes: warm, "
        "tender, spreading erythema, temperature 37.9 C, no fluctuance or drainage. The right "
        "leg is unaffected. Cellulitis of the left lower leg; oral cephalexin and elevation.",
        "ICD10",
        "L03.116",
        "dermatology",
    ),
    Case(
        "Several gallstones seen on an abdominal ultrasound done for mildly abnormal liver "
        "tests in a 55 yo. No right upper quadrant pain, fever or jaundice; gallbladder wall "
        "normal and bile ducts not dilated. Asymptomatic gallstones without cholecystitis or "
        "obstruction; no surgery advised.",
        "ICD10",
        "K80.20",
        "gastroenterology",
    ),
    Case(
        "Intermittent dull left flank ache in a 46 yo. Non-contrast CT shows an 8 mm stone in "
        "the lower pole of the left kidney, with no hydronephrosis and no stone in the ureter "
        "or bladder. Kidney stone; urology referral, more fluids and a stone analysis plan.",
        "ICD10",
        "N20.0",
        "urology",
    ),
    Case(
        "Every spring a 31 yo gets sneezing, itchy watery eyes, clear runny nose and nasal "
        "congestion. Skin prick testing is positive to tree and grass pollens and negative to "
        "dust mites, molds and animals. Allergic rhinitis due to pollen; intranasal steroid "
        "and an oral antihistamine.",
        "ICD10",
        "J30.1",
        "allergy and immunology",
    ),
    Case(
        "48 yo drinking eight to ten beers a day for years, unable to cut down, still drinking "
        "despite raised liver enzymes, with strong cravings. Last drink this morning; no "
        "tremor, sweating or other withdrawal signs and not intoxicated. Alcohol dependence; "
        "discussed naltrexone and an outpatient program.",
        "ICD10",
        "F10.20",
        "psychiatry",
    ),
    Case(
        "33 yo rolled her right ankle stepping off a curb an hour ago. Swelling and tenderness "
        "over the lateral ankle ligaments, able to take four steps, no bony tenderness. Ankle "
        "decision rules negative, no imaging. Sprain of the right ankle, ligament not specified; rest, "
        "ice, compression and a brace.",
        "ICD10",
        "S93.401A",
        "emergency medicine",
    ),
    Case(
        "PSA rose from 4.1 to 7.9 ng/mL over a year in a 67 yo man. MRI showed a suspicious "
        "peripheral zone lesion; targeted biopsy found adenocarcinoma of the prostate, grade "
        "group 2, in three of twelve cores. No metastases on staging. Discussed active "
        "surveillance, radiation and prostatectomy.",
        "ICD10",
        "C61",
        "oncology",
    ),
    Case(
        "Routine yearly physical for a healthy 42 yo with no complaints. Complete history and "
        "examination normal, BMI 24, blood pressure 118/74, screening labs unremarkable. "
        "Counseled on exercise, diet and sleep. No new problems identified.",
        "ICD10",
        "Z00.00",
        "general medicine",
    ),
    Case(
        "Two unprovoked generalized convulsive seizures six months apart in a 30 yo; EEG and "
        "MRI non-diagnostic. The neurologist diagnoses epilepsy, type not yet classified. "
        "Seizure-free on levetiracetam for four months, never in status epilepticus, not "
        "considered drug resistant.",
        "ICD10",
        "G40.909",
        "neurology",
    ),
    Case(
        "Sudden pleuritic chest pain and breathlessness in a 45 yo five days after a long-haul "
        "flight. Heart rate 112, SpO2 93%. CT pulmonary angiography: segmental emboli in the "
        "right lower lobe, no saddle embolus and no right ventricular strain. Diagnosis: "
        "pulmonary embolism without acute cor pulmonale; started apixaban.",
        "ICD10",
        "I26.99",
        "emergency medicine",
    ),
    # ---- CPT (23) ----
    Case(
        "Established patient, 38 yo, with three days of itching and pain in the right ear "
        "after swimming. Canal swollen and red with debris, tympanic membrane intact. Acute "
        "otitis externa; prescribed antibiotic-steroid ear drops and water precautions. "
        "Low-complexity medical decision making; 20 minutes in total.",
        "CPT",
        "99213",
        "general medicine",
    ),
    Case(
        "Return visit for a 50 yo with treated hypothyroidism and two weeks of palpitations "
        "and tremor. TSH suppressed on the current levothyroxine dose, consistent with "
        "over-replacement. Reviewed the labs and an ECG, reduced the dose and ordered repeat "
        "thyroid tests. Moderate-complexity decision making; 32 minutes.",
        "CPT",
        "99214",
        "endocrinology",
    ),
    Case(
        "First visit to this podiatry practice for a 25 yo with two weeks of sharp heel pain "
        "with the first steps each morning. Tender at the plantar fascia insertion; plantar "
        "fasciitis. Stretching program, supportive shoes and over-the-counter ibuprofen. "
        "Low-complexity decision making; 32 minutes.",
        "CPT",
        "99203",
        "podiatry",
    ),
    Case(
        "Emergency department visit for a 34 yo with fever to 39 C, vomiting and right flank "
        "pain. Urinalysis, blood count and metabolic panel ordered and reviewed; diagnosed "
        "with acute pyelonephritis. IV fluids and a first antibiotic dose given, then "
        "discharged on oral antibiotics. Medical decision making of moderate complexity.",
        "CPT",
        "99284",
        "emergency medicine",
    ),
    Case(
        "Baseline electrocardiogram before starting a QT-prolonging antibiotic in a 59 yo. "
        "Twelve-lead tracing recorded on the clinic machine and interpreted, with a written "
        "report, by the physician of the same practice: sinus rhythm, QTc 420 ms, no ST "
        "changes.",
        "CPT",
        "93000",
        "cardiology",
    ),
    Case(
        "Follow-up chest imaging six weeks after treatment for pneumonia in a 61 yo smoker. "
        "Frontal and lateral chest X-rays in the outpatient imaging suite. The earlier right "
        "lower lobe opacity has cleared; no new abnormality.",
        "CPT",
        "71046",
        "radiology",
    ),
    Case(
        "Point-of-care glycated hemoglobin test run on a fingerstick sample during a visit for "
        "a 44 yo with prediabetes, to see whether lifestyle changes have worked. Result 6.1%. "
        "No other laboratory tests done.",
        "CPT",
        "83036",
        "general medicine",
    ),
    Case(
        "Colonoscopy for six months of watery diarrhea in a 38 yo. Colon and terminal ileum "
        "look normal; random cold forceps biopsies taken from the right and left colon to look "
        "for microscopic colitis. No polyps seen and nothing removed.",
        "CPT",
        "45380",
        "gastroenterology",
    ),
    Case(
        "Lipid panel eight weeks after starting rosuvastatin in a 58 yo with a strong family "
        "history of early heart disease: total cholesterol, HDL cholesterol and triglycerides "
        "measured, LDL calculated. No other tests requested on this sample.",
        "CPT",
        "80061",
        "cardiology",
    ),
    Case(
        "72 yo with leg heaviness and pain when walking two blocks, relieved by sitting or "
        "bending forward, suspected lumbar spinal stenosis. MRI of the lumbar spine with "
        "non-contrast sequences only: severe central canal stenosis at L3-L4 and L4-L5.",
        "CPT",
        "72148",
        "neurology",
    ),
    Case(
        "76 yo on anticoagulation struck her head in a fall at home. Non-contrast CT of the "
        "head: axial images of the brain without intravenous contrast show no hemorrhage and "
        "no skull fracture.",
        "CPT",
        "70450",
        "emergency medicine",
    ),
    Case(
        "Individual dialectical behavior therapy session for a 19 yo with emotional "
        "dysregulation and self-harm urges: diary card review, chain analysis and skills "
        "coaching. 55 minutes face to face, patient alone; no medication management.",
        "CPT",
        "90837",
        "psychiatry",
    ),
    Case(
        "Established patient, 66 yo, followed as a glaucoma suspect, returns for a yearly "
        "comprehensive eye examination: history, visual acuity, pupils, motility, tonometry, "
        "slit lamp and dilated examination of the optic nerves and retina of both eyes. Stable; "
        "follow-up in a year.",
        "CPT",
        "92014",
        "ophthalmology",
    ),
    Case(
        "14 yo with sore throat and fever but no cough. A swab of the tonsils was run on an "
        "in-office rapid strep A antigen cassette and read by eye: negative. Symptomatic "
        "treatment.",
        "CPT",
        "87880",
        "pediatrics",
    ),
    Case(
        "Laparoscopic removal of the gallbladder in a 44 yo with recurrent biliary colic from "
        "gallstones. Four ports placed, cystic duct and artery clipped and divided, gallbladder "
        "dissected from the liver bed and removed in a bag. No intraoperative cholangiogram.",
        "CPT",
        "47562",
        "general surgery",
    ),
    Case(
        "Total knee arthroplasty on the left knee of a 71 yo with end-stage osteoarthritis: "
        "medial parapatellar approach, cemented femoral and tibial components and patellar "
        "resurfacing. Tourniquet time 70 minutes; no complications.",
        "CPT",
        "27447",
        "orthopedics",
    ),
    Case(
        "Blood drawn by the medical assistant from an arm vein with a needle for the tests "
        "ordered at today's visit; the tubes are sent to an outside laboratory that will bill "
        "for the tests.",
        "CPT",
        "36415",
        "general medicine",
    ),
    Case(
        "30 yo with fatigue and repeated infections. Complete blood count on the automated "
        "analyzer with an automated white cell differential run in the clinic laboratory: "
        "hemoglobin, hematocrit, platelets and a five-part differential reported.",
        "CPT",
        "85025",
        "hematology",
    ),
    Case(
        "28 yo cut the left forearm on a kitchen knife: a 4 cm straight laceration through the "
        "skin into fat, no tendon or muscle injury. Irrigated and closed in a single layer "
        "with simple interrupted sutures; no layered closure needed.",
        "CPT",
        "12002",
        "emergency medicine",
    ),
    Case(
        "Muffled hearing in the right ear of an 80 yo. Otoscopy shows hard cerumen completely "
        "blocking the canal. Removed by the physician with a curette and alligator forceps "
        "under direct view; tympanic membrane intact afterwards. Left ear not treated.",
        "CPT",
        "69210",
        "otolaryngology",
    ),
    Case(
        "Seasonal influenza vaccination for a healthy 35 yo: quadrivalent, preservative-free, "
        "split-virus vaccine, 0.5 mL from a single-dose prefilled syringe, given into the "
        "deltoid. The vaccine product is the item being reported.",
        "CPT",
        "90686",
        "general medicine",
    ),
    Case(
        "Physical therapy for a 58 yo recovering from rotator cuff repair: 30 minutes of "
        "therapeutic exercise one on one, including active-assisted range of motion and "
        "isometric strengthening of the rotator cuff and scapular muscles.",
        "CPT",
        "97110",
        "physical medicine and rehabilitation",
    ),
    Case(
        "Painful, fluctuant 2 cm abscess on the right thigh of a 24 yo. Under local anesthesia "
        "a single incision drained the pus, loculations were broken up and the cavity was "
        "packed. Simple, single abscess; culture sent.",
        "CPT",
        "10060",
        "dermatology",
    ),
    # ---- HCPCS Level II (22) ----
    Case(
        "Breast cancer with new brain metastases in a 57 yo, headache from vasogenic edema on "
        "MRI. Dexamethasone sodium phosphate 10 mg given by intravenous push in the infusion "
        "clinic before starting an oral taper. Drug supplied from clinic stock.",
        "HCPCS",
        "J1100",
        "oncology",
    ),
    Case(
        "Firm, itchy keloid on the chest of a 25 yo. Injected intralesionally with "
        "triamcinolone acetonide 10 mg/mL, 1 mL in total, using a fine needle. Repeat in six "
        "weeks if needed. The steroid came from office stock.",
        "HCPCS",
        "J3301",
        "dermatology",
    ),
    Case(
        "Acute low back spasm after lifting boxes in a 41 yo seen at urgent care. Ketorolac "
        "tromethamine 30 mg given by intramuscular injection in the gluteal muscle; "
        "discharged with stretching advice.",
        "HCPCS",
        "J1885",
        "general medicine",
    ),
    Case(
        "2 yo with acute otitis media who vomits every oral antibiotic dose. Ceftriaxone 750 mg "
        "(50 mg/kg) given intramuscularly in the clinic from a 1 g vial, with the rest "
        "discarded and recorded as waste.",
        "HCPCS",
        "J0696",
        "pediatrics",
    ),
    Case(
        "Tibial plateau fracture treated without surgery in a 36 yo who must stay "
        "non-weight-bearing for six weeks. Issued adjustable aluminum (not wooden) "
        "axillary crutches, one pair, and taught three-point gait and stairs.",
        "HCPCS",
        "E0114",
        "emergency medicine",
    ),
    Case(
        "New CPAP user, 58 yo, with chronic nasal blockage from a deviated septum who wakes "
        "with a dry mouth using nasal pillows. The supplier switches her to a mask covering "
        "both nose and mouth for use with her existing device.",
        "HCPCS",
        "A7030",
        "pulmonology",
    ),
    Case(
        "Wrist drop after falling asleep with his arm over a chair back in a 44 yo; radial "
        "nerve compression expected to recover. Given a prefabricated wrist cock-up splint "
        "holding the wrist in extension, off the shelf, with no adjustment by an orthotist.",
        "HCPCS",
        "L3908",
        "neurology",
    ),
    Case(
        "Medicare beneficiary, 70 yo, enrolled in Part B 18 months ago, who had the Welcome to "
        "Medicare exam last year. Today is the first wellness visit under the yearly "
        "benefit, with a risk questionnaire, function and memory screens, a list of her "
        "clinicians and a written prevention plan.",
        "HCPCS",
        "G0438",
        "general medicine",
    ),
    Case(
        "Scheduled, non-emergency stretcher transport by ground ambulance for a bed-confined "
        "77 yo being discharged after hip surgery to a skilled nursing facility. Basic life "
        "support crew; vital signs monitored, no advanced interventions.",
        "HCPCS",
        "A0428",
        "orthopedics",
    ),
    Case(
        "Bone metastases from prostate cancer in a 73 yo. Denosumab 120 mg injected "
        "subcutaneously in the oncology clinic to prevent skeletal events; calcium and vitamin "
        "D levels checked beforehand. Next dose in four weeks.",
        "HCPCS",
        "J0897",
        "oncology",
    ),
    Case(
        "Idiopathic pulmonary fibrosis in a 71 yo man; pulse oximetry at rest reads 87 to 88% "
        "on two separate visits. Continuous home oxygen at 3 L/min ordered, delivered by a "
        "stationary concentrator with a single outlet for use in the house.",
        "HCPCS",
        "E1390",
        "DME/supplies",
    ),
    Case(
        "Advanced heart failure in an 86 yo who can only breathe lying with the head raised "
        "and needs frequent position changes. Hospital bed with electric head and foot "
        "sections, manual height adjustment, side rails and mattress delivered to the home.",
        "HCPCS",
        "E0260",
        "cardiology",
    ),
    Case(
        "Gestational diabetes at 28 weeks, checking fingerstick glucose four times a day with a "
        "meter she already has. Dispensed one box of 100 lancets; strips and meter not "
        "needed this month.",
        "HCPCS",
        "A4259",
        "obstetrics/gynecology",
    ),
    Case(
        "After total hip replacement, a 68 yo starts deep vein thrombosis prophylaxis. First "
        "dose of enoxaparin 40 mg injected subcutaneously in the clinic while she is taught to "
        "self-inject the remaining doses at home.",
        "HCPCS",
        "J1650",
        "orthopedics",
    ),
    Case(
        "Persistent vomiting from viral gastroenteritis in a 30 yo at urgent care, unable to "
        "keep down oral medication. Promethazine hydrochloride 25 mg given by deep "
        "intramuscular injection; tolerating sips of fluid an hour later.",
        "HCPCS",
        "J2550",
        "emergency medicine",
    ),
    Case(
        "3 yo with persistent asthma who cannot use a spacer and mask well. Prescribed a home "
        "nebulizer with an air compressor for twice-daily inhaled budesonide and rescue "
        "albuterol; the family was shown how to assemble and clean it.",
        "HCPCS",
        "E0570",
        "pediatrics",
    ),
    Case(
        "COPD patient already on a home concentrator who desaturates to 84% when walking and "
        "wants to leave the house. Portable gaseous oxygen system rented: cylinders with "
        "regulator, flowmeter and cannula for use outside the home.",
        "HCPCS",
        "E0431",
        "pulmonology",
    ),
    Case(
        "Osteoporotic compression fracture of L1 in a 79 yo with back pain on standing. Fitted "
        "with a prefabricated lumbar-sacral orthosis with rigid front and back panels "
        "controlling flexion and side bending, supplied off the shelf.",
        "HCPCS",
        "L0650",
        "orthopedics",
    ),
    Case(
        "35 yo with a nondisplaced distal radius fracture. Short arm cast from below the elbow "
        "to the palm applied with fiberglass casting tape; this line is for the cast "
        "materials used, not the application.",
        "HCPCS",
        "Q4010",
        "orthopedics",
    ),
    Case(
        "Pharmacy supply for a home nebulizer: albuterol sulfate inhalation solution, premixed "
        "unit-dose vials of 2.5 mg in 3 mL, enough for four treatments a day for a month, for "
        "a 66 yo with COPD.",
        "HCPCS",
        "J7613",
        "DME/supplies",
    ),
    Case(
        "Type 1 diabetes on an insulin pump with a therapeutic continuous glucose monitor. "
        "Monthly resupply shipped: the sensors, transmitter and accessories covered by the "
        "monthly supply allowance for the monitor; the receiver was not replaced.",
        "HCPCS",
        "K0553",
        "endocrinology",
    ),
    Case(
        "Medicare beneficiary, 69 yo, in primary care for his yearly alcohol misuse "
        "screening: the AUDIT-C questionnaire was administered and scored in about ten "
        "minutes; score 1, negative, so no counseling was needed.",
        "HCPCS",
        "G0442",
        "general medicine",
    ),
]


# --------------------------------------------------------------------------------------------
# Building and checking
# --------------------------------------------------------------------------------------------
def rejected_answer(pair: Pair, validator: CodeValidator) -> str:
    """The ``rejected`` assistant text: a reasoned wrong answer, or a bare one."""
    description = describe(validator, pair.rejected_type, pair.rejected_code)
    if pair.rejected_reasoning is None:
        return format_answer(pair.rejected_type, pair.rejected_code, description)
    return format_reasoned_answer(
        pair.rejected_reasoning, pair.rejected_type, pair.rejected_code, description
    )


def build_pair_records(
    pairs: list[Pair], validator: CodeValidator, id_prefix: str = "s3"
) -> list[dict]:
    """Stage-3 preference records with ids ``<id_prefix>-NNN``."""
    records = []
    for index, pair in enumerate(interleave(pairs), start=1):
        chosen = format_reasoned_answer(
            pair.reasoning,
            pair.code_type,
            pair.code,
            describe(validator, pair.code_type, pair.code),
        )
        metadata = {
            "code_type": pair.code_type,
            "specialty": pair.specialty,
            "mistake": pair.mistake,
            "rejected_code_type": pair.rejected_type,
            "rejected_code": pair.rejected_code,
            "source": "synthetic",
        }
        record = build_stage_3_example(
            pair.narrative, chosen, rejected_answer(pair, validator), metadata=metadata
        )
        records.append({"id": f"{id_prefix}-{index:03d}", **record})
    return records


def build_case_records(
    cases: list[Case],
    validator: CodeValidator,
    id_prefix: str,
    extra_metadata: dict[str, dict] | None = None,
) -> list[dict]:
    """Stage-1 records with ids ``<id_prefix>-NNN``; ``extra_metadata`` is keyed by narrative."""
    records = []
    for index, case in enumerate(interleave(cases), start=1):
        metadata = {"code_type": case.code_type, "specialty": case.specialty, "source": "synthetic"}
        metadata.update((extra_metadata or {}).get(case.narrative, {}))
        description = describe(validator, case.code_type, case.code)
        record = build_stage_1_example(
            case.narrative, case.code_type, case.code, description, metadata=metadata
        )
        records.append({"id": f"{id_prefix}-{index:03d}", **record})
    return records


def check_rows(name: str, rows: Iterable[Case | Pair], expected: dict[str, int]) -> None:
    """Fail loudly on a table mistake: wrong mix, repeated narrative, bad length, bad pair."""
    rows = list(rows)
    counts = Counter(row.code_type for row in rows)
    if dict(counts) != expected:
        raise SystemExit(f"{name}: code-type counts {dict(counts)} != {expected}")
    seen: set[str] = set()
    for row in rows:
        words = len(row.narrative.split())
        if not 20 <= words <= 120:
            raise SystemExit(f"{name} {row.code}: narrative has {words} words (20-120)")
        if row.narrative in seen:
            raise SystemExit(f"{name} {row.code}: narrative used twice")
        seen.add(row.narrative)
        if isinstance(row, Pair):
            check_pair(name, row)


def check_pair(name: str, pair: Pair) -> None:
    """A pair's rejected answer must be a different code and match its declared mistake."""
    where = f"{name} {pair.code_type} {pair.code}"
    if pair.mistake not in MISTAKES:
        raise SystemExit(f"{where}: unknown mistake {pair.mistake!r}; use one of {MISTAKES}")
    if (pair.rejected_type, pair.rejected_code) == (pair.code_type, pair.code):
        raise SystemExit(f"{where}: rejected code equals the chosen code")
    if (pair.mistake == "missing_reasoning") != (pair.rejected_reasoning is None):
        raise SystemExit(f"{where}: only missing_reasoning pairs have no rejected reasoning")
    if (pair.mistake == "wrong_code_type") != (pair.rejected_type != pair.code_type):
        raise SystemExit(f"{where}: only wrong_code_type pairs change the code system")
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", pair.reasoning.strip()) if s]
    if not 2 <= len(sentences) <= 5:
        raise SystemExit(f"{where}: reasoning has {len(sentences)} sentences (2-5)")


def check_records(records: list[dict], stage: int) -> None:
    """Re-read every written answer with the shared parser: gold must round-trip."""
    for record in records:
        for which in ("chosen", "rejected") if stage == 3 else ("chosen",):
            parsed = parse_answer(get_answer_text(record, which))
            if not parsed.well_formed:
                raise SystemExit(f"{record['id']}: {which} answer does not parse")
            if which == "chosen" and stage >= 2 and not parsed.reasoning_well_formed:
                raise SystemExit(f"{record['id']}: chosen answer lacks a well-formed <think>")
            if which == "chosen" and parsed.code_type != record["metadata"]["code_type"]:
                raise SystemExit(f"{record['id']}: metadata code_type disagrees with the answer")


def _shingles(text: str, size: int = SHINGLE) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def find_overlaps(
    held_out: list[str], training: list[str], ratio: float = NEAR_DUPLICATE_RATIO
) -> list[tuple[str, str, str]]:
    """Held-out narratives that repeat a training narrative: ``(held_out, training, why)``.

    A pair overlaps when the texts are equal, when their normalised edit similarity
    (``rapidfuzz.fuzz.ratio``) reaches ``ratio``, or when they share a run of ``SHINGLE`` words.
    """
    overlaps = []
    training_shingles = [_shingles(text) for text in training]
    for text in held_out:
        best = process.extractOne(text, training, scorer=fuzz.ratio)
        if best is not None and best[1] >= ratio:
            why = "identical" if best[1] == 100 else f"similarity {best[1]:.0f}"
            overlaps.append((text, best[0], why))
            continue
        mine = _shingles(text)
        for other, theirs in zip(training, training_shingles, strict=True):
            shared = mine & theirs
            if shared:
                overlaps.append((text, other, "shares '" + " ".join(next(iter(shared))) + "'"))
                break
    return overlaps


def load_training(paths: list[Path]) -> tuple[list[str], set[tuple[str, str]]]:
    """Narratives and gold ``(code_type, code)`` pairs of existing training files."""
    narratives: list[str] = []
    codes: set[tuple[str, str]] = set()
    for path in paths:
        if not path.exists():
            raise SystemExit(f"training file {path} is missing; generate it first")
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            narratives.append(get_narrative(record) or "")
            gold = parse_answer(get_answer_text(record))
            codes.add((gold.code_type or "", gold.code or ""))
    return narratives, codes


def report_overlaps(overlaps: list[tuple[str, str, str]], what: str) -> None:
    """Stop with a readable list when held-out narratives overlap training ones."""
    if not overlaps:
        return
    lines = [f"{len(overlaps)} {what} narrative(s) overlap training data:"]
    for held_out, training, why in overlaps:
        lines.append(f"  - {why}: {held_out[:70]!r} ~ {training[:70]!r}")
    raise SystemExit("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--output-dir", type=Path, default=EXAMPLES_DIR)
    parser.add_argument(
        "--training-dir",
        type=Path,
        default=EXAMPLES_DIR,
        help="where sample_stage_{1,2}.jsonl live (the test set must not overlap them)",
    )
    args = parser.parse_args(argv)

    check_rows("stage-3 pairs", PAIRS, PAIR_COUNTS)
    check_rows("test cases", TEST_CASES, TEST_COUNTS)
    validator = CodeValidator()
    pairs = build_pair_records(PAIRS, validator)
    check_records(pairs, stage=3)

    # The test set is held out from every training file, stage 3 included.
    training_files = [args.training_dir / f"sample_stage_{stage}.jsonl" for stage in (1, 2)]
    narratives, gold_codes = load_training(training_files)
    narratives += [pair.narrative for pair in PAIRS]
    gold_codes |= {(pair.code_type, pair.code) for pair in PAIRS}
    report_overlaps(find_overlaps([c.narrative for c in TEST_CASES], narratives), "test")

    seen = {
        c.narrative: {"code_in_training": (c.code_type, c.code) in gold_codes} for c in TEST_CASES
    }
    test = build_case_records(TEST_CASES, validator, "t", seen)
    check_records(test, stage=1)
    share = sum(m["code_in_training"] for m in seen.values()) / len(seen)
    print(f"test codes also seen in training: {share:.0%}")

    return write_or_compare(
        {
            args.output_dir / "sample_stage_3.jsonl": pairs,
            args.output_dir / "test.jsonl": test,
        },
        args.check,
    )


if __name__ == "__main__":
    raise SystemExit(main())
