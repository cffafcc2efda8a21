"""Clinical word lists the PHI recognizers consult: words of notes that look like names.

spaCy's small English model often tags clinical words as PERSON/GPE/ORG: section headers and
capitalised note words (``COMMON_CAPITALIZED``), abbreviations (``MEDICAL_ABBREVIATIONS``),
drug and device brand names (``DRUG_NAMES``, ``DEVICE_NAMES``), words ending like a drug or a
medical term (``DRUG_SUFFIX_RE``, ``MEDICAL_SUFFIX_RE``), lab and exam words
(``CLINICAL_WORDS``) and organism genera (``ORGANISM_GENERA``). Only NER-only hits are vetoed
by these lists; titles and cues are not. With the code descriptions they make up
:mod:`thce.data.phi.vocabulary`. The lists about people and places (titles, relations,
eponyms, regions) are in :mod:`thce.data.phi.lexicon`, which also re-exports these names.
"""

from __future__ import annotations

import re


def _words(block: str) -> list[str]:
    """Split a whitespace-separated word block (keeps long lists readable)."""
    return block.split()


# Capitalised words of clinical notes that spaCy's small model mistakes for names or places.
COMMON_CAPITALIZED: frozenset[str] = frozenset(
    w.lower()
    for w in _words(
        """
    Patient Pt Patients Name Mother Father Wife Husband Daughter Son Sister Brother Family
    Friend Denies Reports Presents Presented Complains States Notes Noted Lungs Heart Abdomen
    Extremities Neuro Neurologic Skin Psych HEENT Head Eyes Ears Nose Throat Neck Chest Back
    Spine Pelvis Assessment Plan Impression History Exam Examination Labs Lab Vitals Vital
    Allergies Meds Medications Medication Social Surgical Medical Diagnosis Diagnoses Procedure
    Procedures Indication Indications Findings Finding Result Results Chief Complaint Subjective
    Objective Follow Followup Follow-up Return Returns Continue Continued Start Started Stop
    Stopped Increase Increased Decrease Decreased Discussed Reviewed Ordered Negative Positive
    Normal Abnormal Pending Stable Unstable Improved Worsening Mild Moderate Severe Acute
    Chronic Left Right Bilateral Upper Lower Anterior Posterior Type Stage Grade Class Level
    Note Notes Summary Discharge Admission Admitted Consult Consultation Referral Referred Visit
    Telehealth Office Clinic Hospital Emergency Department Unit Floor Room Bed Home Health Care
    Nursing Hospice Rehab Rehabilitation Cardiology Pulmonology Neurology Oncology Hematology
    Endocrinology Gastroenterology Nephrology Urology Orthopedics Ortho Rheumatology Dermatology
    Psychiatry Psychology Pediatrics Obstetrics Gynecology Radiology Pathology Surgery
    Anesthesia Medicine Internal Primary Family Infectious Disease Critical Palliative
    Geriatrics Ophthalmology Otolaryngology ENT Podiatry Physical Occupational Speech Therapy
    Therapist Nurse Nursing Physician Provider Attending Resident Fellow Intern Surgeon Doctor
    Staff Team Service Services Blood Urine Serum Plasma Culture Cultures Imaging Echo
    Echocardiogram Ultrasound Xray X-ray Scan Biopsy Pathology Insulin Vitamin Iron Calcium
    Potassium Sodium Magnesium Oxygen Tylenol Aspirin No None Yes Today Yesterday Tomorrow
    Tonight Morning Evening Night Monday Tuesday Wednesday Thursday Friday Saturday Sunday Daily
    Weekly Monthly Annual Annually Status Post Prior Previous Current New Old Recent Since Pain
    Fever Cough Nausea Vomiting Diarrhea Constipation Fatigue Weakness Dyspnea Edema Rash
    Headache Dizziness Syncope Palpitations Tremor Seizure Seizures Stroke Diabetes Hypertension
    Asthma Cancer Depression Anxiety Obesity Pneumonia Sepsis Infection Covid COVID-19 Influenza
    Flu Hepatitis Cirrhosis Anemia Dementia Delirium Arthritis Gout Cath Stent Stents Graft Pump
    Port Line Drain Tube Catheter Device Pacemaker Defibrillator Echo Holter Cast Boot Brace
    Splint Sling Crutches Wheelchair Oxygen CPAP BiPAP Sleep Study Test Tests Score Scale Screen
    Screening Vaccine Vaccines Immunization Injection Infusion Chemo Chemotherapy Radiation
    Dialysis Transplant Surgery Repair Replacement Fusion Good Fair Poor Well Unremarkable
    Intact Clear Soft Tender Nontender Regular Irregular Alert Oriented Awake Calm Pleasant
    Cooperative Appropriate Afebrile Ambulatory Independent Please Call Contact Phone Fax Email
    Address Date Time DOB DOS MRN SSN ID Age Sex Male Female Man Woman Boy Girl Infant Child
    Adult Elderly Veteran Caucasian Hispanic Latino Asian African American Native English
    Spanish Interpreter Medicare Medicaid Insurance Plan Member Policy Group Account Billing
    Claim Prescription Rx Refill Refills Pharmacy Dose Dosing Tablet Tablets Capsule Capsules
    Units Unit Injection Patch Cream Ointment Drops Spray Inhaler Nebulizer Solution Suspension
    Syrup Drip Bolus Titrate Taper Wean Hold Held Resume Resumed Pre-op Post-op Postop Preop
    Intraop Operative Op Anesthesiology Labor Delivery Newborn Prenatal Postpartum Gestation
    Pregnancy Pregnant Lactation Menopause Puberty Birth Born Quit Smoker Smoking Tobacco
    Alcohol Drugs Drug Substance Use Abuse Dependence Withdrawal Counseled Counseling Education
    Educated Advised Instructed Given Received Administered Placed Removed Inserted Performed
    Completed Scheduled Planned Recommended Requested Obtained Sent Faxed Emailed Mailed
    Uploaded Signed Dictated Transcribed Electronically Verified Reason Chief Complaint HPI ROS
    PMH PSH FH SH PE A/P Review Systems Constitutional General Genitourinary GU GI
    Musculoskeletal MSK Integumentary Lymphatic Endocrine Hematologic Allergic Immunologic
    Cardiovascular Respiratory Gastrointestinal Neurological Psychiatric Sinus Rhythm Murmur
    Gallop Rub Wheezes Wheezing Crackles Rales Rhonchi Breath Sounds Grip Strength Sensation
    Reflexes Gait Coordination Cranial Nerves Speech Mood Affect Thought Judgment Insight Memory
    Attention Orientation Cognition Behavior Sleep Appetite Weight Height BMI Temp Temperature
    Pulse Respirations Pressure Saturation Knee Knees Hip Hips Shoulder Shoulders Elbow Wrist
    Hand Hands Finger Fingers Thumb Ankle Ankles Foot Feet Toe Toes Leg Legs Arm Arms Thigh Calf
    Shin Heel Groin Buttock Flank Rib Ribs Sternum Clavicle Scapula Pelvic Lumbar Thoracic
    Cervical Sacral Coccyx Skull Face Jaw Mouth Tongue Teeth Tooth Gums Lip Lips Eye Ear Scalp
    Brain Lung Liver Kidney Kidneys Bladder Prostate Uterus Ovary Ovaries Breast Breasts Colon
    Rectum Stomach Esophagus Pancreas Spleen Gallbladder Appendix Thyroid Adrenal Pituitary Bone
    Bones Joint Joints Muscle Muscles Tendon Ligament Nerve Nerves Vein Veins Artery Arteries
    Aorta Valve Wound Wounds Incision Ulcer Lesion Lesions Mass Nodule Cyst Tumor Fracture
    Sprain Strain Tear Laceration Abrasion Contusion Burn Burns Bruise Swelling Redness Drainage
    Bleeding Hemorrhage Clot Embolism Preeclampsia Eclampsia Labor Contractions Miscarriage
    Infertility Contraception Osteoporosis Osteoarthritis Neuropathy Retinopathy Nephropathy
    Cardiomyopathy Arrhythmia Angina Murmurs Hyperlipidemia Hypothyroidism Hyperthyroidism
    Hypoglycemia Hyperglycemia Ketoacidosis Bronchitis Emphysema Fibrosis Effusion Pneumothorax
    Atelectasis Hypoxia Apnea Snoring Insomnia Migraine Vertigo Neuralgia Paresthesia Numbness
    Tingling Spasm Spasms Cramps Colitis Gastritis Pancreatitis Hepatitis Cholecystitis
    Appendicitis Diverticulitis Hernia Reflux Dysphagia Heartburn Jaundice Ascites Dermatitis
    Eczema Psoriasis Cellulitis Abscess Acne Alopecia Urticaria Hives Pruritus Itching
    Lymphadenopathy Leukemia Lymphoma Melanoma Carcinoma Sarcoma Myeloma Metastasis Metastases
    Remission Relapse Recurrence Prognosis Pager Beeper Cell Mobile Work Rheum Cards Pulm Neph
    Endo Onc Heme Derm Peds Gyn Uro Ophtho Gen Surg Ortho Neurosurg Vasc Trauma Hem Hospitalist
    Intensivist Anesthesiologist Caregiver Guardian Spouse Partner Sibling Siblings Parents
    Parent Children Kids Grandchildren Workup Work-up Plan Goals Disposition Prophylaxis
    Precautions Isolation Restraints Fall Falls Risk Risks Benefits Alternatives Consent Code
    Full DNR DNI POLST Advance Directive Directives Ambulance Transport Wheelchair Stretcher
    Taxi Vehicle Driver Driving Neurologist Cardiologist Oncologist Pulmonologist
    Endocrinologist Nephrologist Urologist Dermatologist Rheumatologist Gastroenterologist
    Hematologist Psychiatrist Psychologist Pediatrician Obstetrician Gynecologist Radiologist
    Pathologist Anesthesiologist Podiatrist Optometrist Ophthalmologist Audiologist Dentist
    Orthodontist Chiropractor Pharmacist Dietitian Nutritionist Counselor Midwife Paramedic EMT
    Hospitalist Supplies Supply Vendor Supplier Equipment Orders Order Referring Consulting
    Covering Treating Ordering Primary Cord Gas Stool Sputum Swab Specimen Sample Smear Panel
    Profile Level Levels Count Counts Suspect Suspected Possible Probable Likely Unlikely Rule
    Ruled Differential Versus Hep Teen Teenager Toddler Baby Newborn Neonate Student Retired
    Retiree Employed Unemployed Disabled Widowed Married Single Divorced Separated
    Tel Loc Location Dispo Disposition Triage Belongings Valuables Submitter Requesting Requested
    Reply Thx Thanks Tx Rx Dx Hx Sx Clerk Registrar Dental Financial Subject Employee Employer
    Photo Photos Image Images Media Attachment Attachments Signature Signed Cosigned Site Status
    Reviewer Reviewed Coordinator Navigator Practitioner Manager Educator Specialist Supervisor
    Assistant Aide Technician Tech Scribe Interpreter Chaplain Volunteer Courier Dispatcher
    Consultant Registrar Sonographer Technologist Phlebotomist Hygienist Paramedic
    """
    )
)

# Clinical abbreviations that spaCy tags as ORG/GPE/PERSON.
MEDICAL_ABBREVIATIONS: frozenset[str] = frozenset(
    _words(
        """
    COPD CHF HFrEF HFpEF MRI CT CTA PET EKG ECG EEG EMG NCS CABG PCI DM DM1 DM2 T1DM T2DM HTN
    HLD CKD ESRD AKI GERD BPH UTI DVT PE MI STEMI NSTEMI TIA CVA OSA ADHD PTSD RA OA SLE HIV
    AIDS HCV HBV TSH PSA CBC BMP CMP ABG INR PT PTT NPO PRN BID TID QID QHS QD QOD PO IV IM SC
    SQ SL ED ER ICU PACU OR PCP NKDA ROS HEENT PERRLA RRR CTAB NAD AOx3 CAD PAD AF AFib A-fib
    SVT VT VF LBBB RBBB LVH LVEF EF ACS ARDS ILD IPF PNA CAP HAP VAP OT PT SLP DME SNF LTAC ADL
    ADLs IADL BMI LDL HDL HbA1c A1c ALT AST ALP GGT BUN Cr GFR eGFR UA UDS CRP ESR ANA RF CCP TB
    PPD IGRA MRSA MSSA VRE CDI C-diff RSV HPV HSV VZV EBV CMV GBS NICU PICU L&D OB GYN OBGYN ENT
    GI ID IR MSK PM&R PMR SOB DOE PND JVD LE UE RLE LLE RUE LUE RUQ LUQ RLQ LLQ CVA CVAT TTP ROM
    DTR DTRs BLE BUE NSAID NSAIDs ACE ARB ARNI SGLT2 GLP-1 DPP-4 PPI SSRI SNRI TCA MAOI DOAC
    LMWH TPA tPA IVIG ABVD CHOP R-CHOP FOLFOX ART HAART PrEP PEP VNS DBS ICD CRT CRT-D AICD LVAD
    ECMO CPAP BiPAP AHI ODI REM NREM PFT FEV1 FVC DLCO TLC RV VQ V/Q CXR KUB EGD ERCP MRCP EUS
    TEE TTE THA TKA ACL PCL MCL LCL ORIF CRPP TKR THR DJD DDD HNP LBP CTS AC SI AVN CRPS PRP AWV
    IPPE CMS HCPCS CPT ICD ICD-10 ICD-10-CM NDC DRG HCC RAF NOS NEC MMSE MoCA PHQ PHQ-9 GAD
    GAD-7 AUDIT CAGE CIWA COWS GCS NIHSS NYHA ASA ECOG KPS HR RR BP SpO2 O2 RA NC BP HEENT JVP
    PMI
    Hb Hgb HgB Hct Plt Plts WBC RBC MCV MCH MCHC RDW ANC ALC Neut Neuts Lymph Lymphs Mono Eos
    Baso Segs Retic Na K Cl Ca iCa Mg Phos PO4 Cr Creat Alb Tbili Dbili Bili TBili T-bili Trop
    TnI TnT hsTnT hs-TnT BNP NT-proBNP proBNP Lact Procal PCT Ddimer D-dimer Fib Fe TIBC Tsat
    B12 Vit HbA1c Hba1c A1C Glu Gluc Chol Trig TG LFT LFTs Lytes CK CPK LDH Amyl Lip Uric UACR
    UPCR Osm Sosm Uosm pH pCO2 pO2 PaO2 PaCO2 HCO3 Bicarb CO2 FiO2 SaO2 PEEP Tmax Wt Ht Hgb-A1c
    T3 T4 FT4 fT4 FT3 TPO AFP CEA CA-125 CA19-9 aPTT PTT INR ESR CRP hsCRP ANA dsDNA ANCA ASO
    RPR VDRL HIV-1 HBsAg HBcAb HCV-Ab UCx BCx Cx GC NAAT PCR COVID SARS-CoV-2
    Tdap Td DTaP DT MMR MMRV IPV Hib HepA HepB PCV PCV13 PCV15 PCV20 PPSV23 RZV BCG
    """
    )
)

# Common drug names (generic and brand). Brand names are capitalised and often tagged PERSON.
DRUG_NAMES: frozenset[str] = frozenset(
    w.lower()
    for w in _words(
        """
    Metformin Glucophage Jardiance Farxiga Invokana Januvia Ozempic Wegovy Trulicity Victoza
    Mounjaro Lantus Levemir Tresiba Basaglar Humalog Novolog Toujeo Glipizide Glyburide Actos
    Lisinopril Losartan Valsartan Entresto Amlodipine Norvasc Nifedipine Diltiazem Cardizem
    Verapamil Metoprolol Toprol Lopressor Carvedilol Coreg Atenolol Propranolol Labetalol
    Hydrochlorothiazide HCTZ Chlorthalidone Furosemide Lasix Bumex Bumetanide Torsemide
    Spironolactone Aldactone Eplerenone Hydralazine Clonidine Isosorbide Imdur Nitroglycerin
    Atorvastatin Lipitor Rosuvastatin Crestor Simvastatin Zocor Pravastatin Ezetimibe Zetia
    Repatha Praluent Aspirin Plavix Clopidogrel Brilinta Ticagrelor Prasugrel Effient Eliquis
    Apixaban Xarelto Rivaroxaban Pradaxa Dabigatran Coumadin Warfarin Heparin Lovenox Enoxaparin
    Digoxin Amiodarone Sotalol Flecainide Multaq Levothyroxine Synthroid Levoxyl Methimazole
    Tapazole PTU Propylthiouracil Hydrocortisone Prednisone Prednisolone Medrol
    Methylprednisolone Dexamethasone Decadron Fludrocortisone Albuterol ProAir Ventolin
    Proventil Symbicort Advair Breo Trelegy Spiriva Incruse Anoro Stiolto Flovent Pulmicort
    Singulair Montelukast Xolair Dupixent Nucala Fasenra Azithromycin Zithromax Z-pack
    Doxycycline Amoxicillin Augmentin Keflex Cephalexin Ceftriaxone Rocephin Cefdinir
    Ciprofloxacin Cipro Levofloxacin Levaquin Bactrim Nitrofurantoin Macrobid Clindamycin
    Vancomycin Zosyn Flagyl Metronidazole Linezolid Valacyclovir Valtrex Acyclovir Tamiflu
    Paxlovid Fluconazole Diflucan Omeprazole Prilosec Pantoprazole Protonix Esomeprazole Nexium
    Famotidine Pepcid Ondansetron Zofran Reglan Metoclopramide Miralax Colace Senna Dulcolax
    Linzess Humira Adalimumab Remicade Infliximab Entyvio Stelara Skyrizi Rinvoq Xeljanz Enbrel
    Methotrexate Plaquenil Hydroxychloroquine Sulfasalazine Mesalamine Lialda Budesonide
    Entocort Keytruda Opdivo Herceptin Avastin Rituxan Rituximab Revlimid Imbruvica Tagrisso
    Gleevec Xiaflex Botox Prolia Forteo Fosamax Alendronate Reclast Evista Tamoxifen Anastrozole
    Arimidex Letrozole Femara Lupron Xtandi Zytiga Flomax Tamsulosin Finasteride Proscar Avodart
    Cialis Viagra Sildenafil Tadalafil Oxybutynin Myrbetriq Detrol Sertraline Zoloft Fluoxetine
    Prozac Escitalopram Lexapro Citalopram Celexa Paroxetine Paxil Venlafaxine Effexor
    Duloxetine Cymbalta Bupropion Wellbutrin Mirtazapine Remeron Trazodone Buspirone Buspar
    Quetiapine Seroquel Olanzapine Zyprexa Risperidone Risperdal Aripiprazole Abilify
    Haloperidol Haldol Lithium Lamotrigine Lamictal Depakote Valproate Keppra Levetiracetam
    Topamax Topiramate Dilantin Phenytoin Tegretol Carbamazepine Trileptal Oxcarbazepine Vimpat
    Lacosamide Gabapentin Neurontin Pregabalin Lyrica Xanax Alprazolam Ativan Lorazepam Klonopin
    Clonazepam Valium Diazepam Ambien Zolpidem Melatonin Adderall Ritalin Concerta Vyvanse
    Strattera Donepezil Aricept Memantine Namenda Exelon Rivastigmine Sinemet Carbidopa Levodopa
    Rytary Mirapex Pramipexole Requip Ropinirole Azilect Rasagiline Amantadine Sumatriptan
    Imitrex Rizatriptan Maxalt Nurtec Ubrelvy Aimovig Emgality Ajovy Tylenol Acetaminophen Advil
    Motrin Ibuprofen Aleve Naproxen Celebrex Celecoxib Meloxicam Mobic Toradol Ketorolac
    Diclofenac Voltaren Norco Vicodin Percocet Oxycodone OxyContin Hydrocodone Dilaudid
    Hydromorphone Morphine Fentanyl Tramadol Ultram Suboxone Buprenorphine Methadone Narcan
    Naloxone Naltrexone Vivitrol Chantix Varenicline Nicoderm Benadryl Diphenhydramine Zyrtec
    Cetirizine Claritin Allegra Flonase Epipen EpiPen Epinephrine Penicillin Penicillamine
    Cuprimine Syprine Trientine DDAVP Desmopressin Humate Kcentra Procrit Epogen Aranesp
    Neupogen Neulasta Feraheme Venofer Injectafer Potassium Klor-Con Magnesium Calcitriol
    Sensipar Renvela Phoslo Valium Robaxin Flexeril Cyclobenzaprine Baclofen Tizanidine Zanaflex
    Colchicine Allopurinol Zyloprim Uloric Krystexxa Ivermectin Stromectol Kenalog Triamcinolone
    Depo-Medrol Lidocaine Xylocaine Marcaine Bupivacaine Propofol Versed Midazolam Ketamine
    Rocuronium Succinylcholine Zepbound Rybelsus Soliqua Xultophy Glyxambi Synjardy Janumet
    Tradjenta Steglatro Austedo Ingrezza Xywav Xyrem Wakix Sunosi Provigil Nuvigil Qulipta
    Vraylar Rexulti Trintellix Caplyta Nuplazid Xcopri Briviact Fycompa Aptiom Epidiolex Ocrevus
    Tysabri Tecfidera Gilenya Aubagio Kesimpta Copaxone Avonex Rebif Leqembi Aduhelm Nexletol
    Vascepa Lovaza Kerendia Verquvo Corlanor Ranexa Multaq Tikosyn Savaysa Bevespi Breztri
    Tudorza Daliresp Ofev Esbriet Tezspire Cibinqo Otezla Sotyktu Cosentyx Taltz Tremfya Ilumya
    Siliq Orencia Actemra Kevzara Olumiant Benlysta Saphnelo Lupkynis Krystexxa Evenity Tymlos
    Veozah Orilissa Myfembree Nexplanon Mirena Paragard Depo-Provera Xiidra Restasis Vyzulta
    Rhopressa Lumigan Xalatan Santyl Regranex Silvadene Bactroban Mupirocin Trulance Amitiza
    Motegrity Viberzi Xifaxan Creon Zenpep Ocaliva Urso Actigall Harvoni Epclusa Mavyret
    Biktarvy Genvoya Descovy Truvada Triumeq Dovato Juluca Cabenuva Symtuza Prezcobix Isentress
    Tivicay Veklury Lagevrio Evusheld Latanoprost Timolol Brimonidine Dorzolamide Cosopt
    Combigan Trientine Deutetrabenazine
    """
    )
)

# Medical device brands and makers that spaCy tags as people or places ("Medtronic Micra",
# "FreeStyle Libre"). Makers whose name is also a city or a common surname (Boston
# Scientific, Smith & Nephew) are left out: they are handled by context like any name.
DEVICE_NAMES: frozenset[str] = frozenset(
    w.lower()
    for w in _words(
        """
 Medtronic Dexcom FreeStyle Libre Omnipod Insulet Tandem MiniMed Eversense Accu-Chek
 OneTouch Contour ResMed Respironics AirSense AirCurve DreamStation Inogen Zoll
 LifeVest Micra Aveir Nanostim Biotronik Masimo Impella HeartMate HeartWare Watchman
 MitraClip Amplatzer Sapien CoreValve Evolut Inspire Nevro Senza Optune Cochlear
 Oticon Phonak Signia Widex ReSound Zio iRhythm KardiaMobile AliveCor Fitbit Alaris
 Pyxis Covidien Biomet DePuy Synthes Arthrex Exactech Hologic
 LivaNova SenTiva AspireSR NeuroPace Activa Percept Vercise Intellis Proclaim Azure Advisa
 Percepta Claria Cobalt Crome Evera Visia Amplia Compia Viva Accolade Valitude Resonate
 Quadra Assura Ellipse Gallant Entrant LINQ BioMonitor Kyleena Skyla Liletta Essure
 Invisalign Tegaderm Mepilex PleurX Groshong PowerPICC Mediport
 Port-a-Cath Teleflex Cordis Terumo Penumbra Solitaire Trevo Pipeline Xience Resolute
 Synergy Onyx Promus Orsiro Angio-Seal Perclose StarClose Impella Optiflow Airvo Trilogy
 Astral SimplyGo Oxymizer Medela Spectra Dynamap Tandem t:slim Control-IQ
 """
    )
)

# Generic-name endings of common drug classes; a bare NER hit ending like this is a drug.
DRUG_SUFFIX_RE = re.compile(
    r"(?:pril|sartan|olol|dipine|statin|formin|gliptin|gliflozin|glutide|parin|xaban|gatran|"
    r"triptan|oxetine|azepam|azolam|prazole|tidine|semide|thiazide|ximab|zumab|umab|tinib|"
    r"cillin|mycin|floxacin|cycline|conazole|setron|lukast|terol|tropium|afil|azosin|asone|"
    r"isone|olone|caine|profen|coxib|codone|morphone|vudine|navir|previr|buvir|tegravir)$",
    re.IGNORECASE,
)

# Endings of medical terms ("Splenomegaly", "Glaucoma"): a bare NER hit ending like this is
# a clinical word capitalised at the start of a sentence, not a name.
MEDICAL_SUFFIX_RE = re.compile(
    r"(?:megaly|itis|osis|oma|omas|emia|aemia|algia|pathy|ectomy|otomy|ostomy|plasty|scopy|"
    r"graphy|gram|uria|rrhea|rrhoea|plegia|paresis|trophy|cele|ptosis|lysis|iasis|penia|"
    r"cytosis|philia|phobia|plasia|stenosis|spasm|edema|oedema|ectasis|malacia|pnea|pnoea|"
    r"thermia|tension|kalemia|natremia|glycemia|ocele|orrhage|ectomies|otomies)$",
    re.IGNORECASE,
)

# Words of clinical notes that code descriptions lack: lab names, equipment, exam and course
# words. With the code descriptions they make up thce.data.phi.vocabulary.
CLINICAL_WORDS: frozenset[str] = frozenset(
    _words(
        """
    labs lab troponin troponins lipase amylase ferritin platelets platelet procalcitonin lactate
    lactic neutrophils neutrophil lymphocytes monocytes eosinophils basophils bands hematocrit
    hemoglobin bicarbonate bicarb chloride phosphorus phosphate electrolytes lytes magnesium
    calprotectin galactomannan fibrinogen haptoglobin reticulocytes reticulocyte retic
    transferrin folate cortisol prolactin testosterone estradiol lipids triglycerides glucose
    creatinine bilirubin albumin ammonia urinalysis microalbumin nitrites nitrite esterase
    ketones culture cultures gram stain smear titer titers antigen antibody antibodies panel
    meter meters reading readings log logs fingerstick fingersticks glucometer sensor sensors
    monitor pump pumps spacer nebulizer nebs neb inhaler walker cane crutch crutches splint
    needlestick needlesticks leadless transmitter transmitters interrogation sat sats spo2 pox ox
    radiograph radiographs comedo comedones
    wheeze wheezes wheezing crackle crackles rales rhonchi stridor rub rubs bruit bruits
    infiltrate infiltrates consolidation opacity opacities exudate exudates effusion effusions
    pleuritic productive nonproductive scattered patchy focal diffuse occasional intermittent
    persistent nocturnal exertional positional bilateral unilateral bibasilar basilar apical
    proximal distal medial lateral superior inferior anterior posterior dorsal ventral palmar
    plantar radial ulnar pedal tonsillar capillary peripheral central sudden gradual abrupt
    insidious worsening improving resolving resolved recurrent new old prior baseline recheck
    repeat repeated trending uptrending downtrending stable unchanged tender nontender swollen
    erythematous purulent serous bloody watery foul mild mildly moderate severe marked trace
    palpable nonpalpable diminished absent present brisk sluggish reactive symmetric
    asymmetric regular irregular tachycardic bradycardic hypotensive hypertensive febrile
    afebrile hypoxic hypoxemic diaphoretic lethargic somnolent obtunded oriented alert awake
    ambulating ambulatory bedbound nonambulatory tolerating tolerated denies denied endorses
    reports complains presents noted seen started stopped held resumed continued increased
    decreased titrated tapered switched changed added refilled ordered obtained consulted
    cardiac pulmonary renal hepatic gastric abdominal pelvic cervical thoracic lumbar sacral
    coronary cerebral neurologic neurological vascular venous arterial lymphatic cutaneous
    dermal oral nasal ocular otic rectal vaginal urinary biliary pancreatic splenic adrenal
    thyroid pituitary dietary nutrition hydration ventilator intubated extubated sedated
    several despite every each both either neither overall otherwise additionally also
    however although though because since until while during after before following
    """
    )
)

# Genera of organisms named in notes, capitalised by convention ("Klebsiella pneumoniae").
ORGANISM_GENERA: frozenset[str] = frozenset(
    _words(
        """
    Acinetobacter Actinomyces Aeromonas Aspergillus Babesia Bacillus Bacteroides Bartonella
    Blastomyces Bordetella Borrelia Brucella Burkholderia Campylobacter Candida Chlamydia
    Chlamydophila Citrobacter Clostridioides Clostridium Coccidioides Corynebacterium Coxiella
    Cryptococcus Cryptosporidium Cutibacterium Cyclospora Ehrlichia Eikenella Entamoeba
    Enterobacter Enterococcus Escherichia Fusobacterium Gardnerella Giardia Haemophilus
    Hemophilus Helicobacter Histoplasma Kingella Klebsiella Lactobacillus Legionella Leishmania
    Leptospira Listeria Malassezia Moraxella Morganella Mucor Mycobacterium Mycoplasma Neisseria
    Nocardia Pasteurella Peptostreptococcus Plasmodium Pneumocystis Prevotella Propionibacterium
    Proteus Providencia Pseudomonas Rhizopus Rickettsia Salmonella Sarcoptes Schistosoma
    Serratia Shigella Sporothrix Staphylococcus Stenotrophomonas Streptococcus Strongyloides
    Toxoplasma Treponema Trichomonas Trichophyton Ureaplasma Vibrio Yersinia
    """
    )
)


__all__ = [
    "CLINICAL_WORDS",
    "COMMON_CAPITALIZED",
    "DEVICE_NAMES",
    "DRUG_NAMES",
    "DRUG_SUFFIX_RE",
    "MEDICAL_ABBREVIATIONS",
    "MEDICAL_SUFFIX_RE",
    "ORGANISM_GENERA",
]
